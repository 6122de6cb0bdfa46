# SPDX-License-Identifier: GPL-2.0-only
#
# Sphinx configuration of the wsheap documentation, for `make htmldocs`
# (Documentation/Makefile).  Written for Debian bookworm's python3-sphinx
# (5.3) and its default theme: nothing beyond the Debian packages.

import os
import re
import sys

docdir = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(docdir, 'sphinx'))
# The build writes only into its output directory: no __pycache__ beside
# the extensions.
sys.dont_write_bytecode = True

project = 'wsheap'
author = 'the wsheap authors'
html_show_copyright = False


def package_version():
    """The version dkms.conf gives the module and the library, if any."""
    try:
        with open(os.path.join(docdir, '..', 'dkms.conf')) as f:
            m = re.search(r'^PACKAGE_VERSION="?([^"\n]*)"?$', f.read(), re.M)
    except OSError:
        return ''
    return m.group(1) if m else ''


release = version = package_version()

extensions = [
    'wsheap_kerneldoc',  # .. kernel-doc:: through scripts/kernel-doc
    'wsheap_mdreport',  # .. markdown-report:: for benchmark-results.md
]

# kernel-doc paths are relative to the repository root.
wsheap_srctree = os.path.abspath(os.path.join(docdir, '..'))

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
# The benchmark report is Markdown, pulled in by benchmarks.rst; the
# extensions and the style sheet are not pages.
exclude_patterns = ['benchmark-results.md', 'sphinx', 'sphinx-static']

primary_domain = 'c'
highlight_language = 'none'

# Types that come from the C library or the kernel, documented elsewhere:
# with -n every other C reference must resolve.
nitpick_ignore = [('c:identifier', name) for name in (
    'size_t', 'int32_t', 'uint16_t', 'uint32_t', 'uint64_t', 'gfp_t',
)]

html_theme = 'alabaster'
html_title = 'wsheap documentation'
html_static_path = ['sphinx-static']
html_css_files = ['wsheap.css']
html_theme_options = {
    'page_width': '1100px',
    'sidebar_width': '240px',
}
html_sidebars = {
    '**': ['about.html', 'navigation.html', 'localtoc.html', 'searchbox.html'],
}
