# SPDX-License-Identifier: GPL-2.0-only
"""
The ``kernel-doc`` directive of the wsheap documentation.

::

    .. kernel-doc:: uapi/linux/wsheap.h
       :identifiers: wsheap_info wsheap_create

runs a kernel tree's ``scripts/kernel-doc -rst`` on a source file of this
repository (the path is relative to the repository root) and parses the
reStructuredText it prints in place of the directive.  The documentation
stays in the sources, where checkpatch and ``kernel-doc -none`` see it.

Options, at most one of them:

``:identifiers: NAME...``, ``:functions: NAME...``
    only these functions, structs, enums, typedefs; with no names, every
    one of them and no ``DOC:`` section
``:export: [FILE...]``
    only the functions exported with ``EXPORT_SYMBOL*()`` in the file (or
    in the FILEs named, relative to the repository root)
``:internal: [FILE...]``
    only the functions that are not exported
``:doc: TITLE``
    only the ``DOC: TITLE`` section

and, with any of them or none, ``:no-identifiers: NAME...`` to leave names
out.  With no option, every kernel-doc comment of the file.

The script is found, in this order, from the configuration value
``wsheap_kernel_doc``, the environment variable ``KERNEL_DOC`` (the
script's path) and ``KSRC`` (a kernel source tree).  ``make htmldocs``
sets ``KERNEL_DOC``.  What kernel-doc writes on stderr becomes a Sphinx
warning at the line of the source file it names, so ``sphinx-build -W``
fails on a malformed comment as well as on bad reStructuredText.
"""

import os
import re
import subprocess

import sphinx
from docutils.parsers.rst import directives
from docutils.statemachine import ViewList
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, switch_source_input
from sphinx.util.nodes import nested_parse_with_titles

__version__ = '1.0'

logger = logging.getLogger(__name__)

# kernel-doc -enable-lineno marks where in the source each block starts.
LINENO_RE = re.compile(r'^\.\. LINENO (\d+)\s*$')
# kernel-doc's own diagnostics: "FILE:LINE: warning: TEXT".
DIAG_RE = re.compile(r'^(?P<file>[^:\s][^:]*):(?P<line>\d+): (?P<text>.*)$')

SELECTORS = ('identifiers', 'functions', 'export', 'internal', 'doc')


def find_kernel_doc(config):
    """The kernel-doc script to run, or None."""
    if config.wsheap_kernel_doc:
        return config.wsheap_kernel_doc
    if os.environ.get('KERNEL_DOC'):
        return os.environ['KERNEL_DOC']
    if os.environ.get('KSRC'):
        return os.path.join(os.environ['KSRC'], 'scripts', 'kernel-doc')
    return None


_sphinx_version_option = {}


def sphinx_version_args(script):
    """
    -sphinx-version for this Sphinx, if the script knows the option (the
    Perl kernel-doc of 6.12 does): without it the script guesses from
    whatever sphinx-build is first on PATH, which need not be the one
    running, and picks its C-domain markup by that guess.
    """
    if script not in _sphinx_version_option:
        try:
            with open(script, 'rb') as f:
                known = b'sphinx-version' in f.read()
        except OSError:
            known = False
        _sphinx_version_option[script] = known
    if not _sphinx_version_option[script]:
        return []
    version = re.match(r'\d+(\.\d+)*', sphinx.__display_version__).group(0)
    return ['-sphinx-version', version]


class KernelDocDirective(SphinxDirective):
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False
    option_spec = {
        'identifiers': directives.unchanged,
        'functions': directives.unchanged,
        'no-identifiers': directives.unchanged_required,
        'export': directives.unchanged,
        'internal': directives.unchanged,
        'doc': directives.unchanged_required,
    }

    def warn(self, text):
        logger.warning('kernel-doc: %s', text,
                       location=(self.env.docname, self.lineno))

    def repo_path(self, path):
        return os.path.normpath(os.path.join(self.config.wsheap_srctree, path))

    def selection_args(self):
        """The kernel-doc options for the directive's options; None if bad."""
        chosen = [name for name in SELECTORS if name in self.options]
        if len(chosen) > 1:
            self.warn('only one of :%s: may be given' % ': :'.join(chosen))
            return None
        args = []
        if chosen:
            name = chosen[0]
            value = self.options[name] or ''
            if name in ('identifiers', 'functions'):
                if value.split():
                    for ident in value.split():
                        args += ['-function', ident]
                else:
                    args.append('-no-doc-sections')
            elif name in ('export', 'internal'):
                args.append('-' + name)
                for extra in value.split():
                    args += ['-export-file', extra]
                    self.env.note_dependency(self.repo_path(extra))
            else:
                args += ['-function', value.strip()]
        for ident in self.options.get('no-identifiers', '').split():
            args += ['-nosymbol', ident]
        return args

    def run(self):
        srctree = self.config.wsheap_srctree
        path = self.arguments[0]
        source = self.repo_path(path)
        if not os.path.isfile(source):
            self.warn('%s: no such file under %s' % (path, srctree))
            return []
        # Rebuild this page when the source file changes.
        self.env.note_dependency(source)

        script = find_kernel_doc(self.config)
        if not script or not os.access(script, os.X_OK):
            self.warn('no kernel-doc script%s: set KERNEL_DOC to a kernel '
                      'tree\'s scripts/kernel-doc or KSRC to the tree '
                      '(make htmldocs does)'
                      % (' at %s' % script if script else ''))
            return []

        selection = self.selection_args()
        if selection is None:
            return []
        cmd = ([script, '-rst', '-enable-lineno'] +
               sphinx_version_args(script) + selection + [path])
        try:
            done = subprocess.run(cmd, cwd=srctree, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, check=False,
                                  universal_newlines=True)
        except OSError as e:
            self.warn('cannot run %s: %s' % (script, e))
            return []

        for line in done.stderr.splitlines():
            if not line.strip():
                continue
            m = DIAG_RE.match(line)
            if m:
                logger.warning('kernel-doc: %s', m.group('text'),
                               location='%s:%s' % (m.group('file'),
                                                   m.group('line')))
            else:
                self.warn(line)
        if done.returncode:
            self.warn('%s exited with status %d' % (' '.join(cmd),
                                                    done.returncode))
        if not done.stdout.strip():
            self.warn('nothing documented in %s for %s'
                      % (path, ' '.join(selection) or 'the whole file'))
            return []

        return self.parse(done.stdout, path)

    def parse(self, text, path):
        """Parse kernel-doc's output; its lines report as the source's."""
        lines = ViewList()
        lineno = 0
        for line in text.splitlines():
            m = LINENO_RE.match(line)
            if m:
                # Not kept: the comment would swallow the indented block
                # that follows it.  ViewList offsets count from 0.
                lineno = int(m.group(1)) - 1
                continue
            lines.append(line, path, lineno)

        node = nodes.section()
        node.document = self.state.document
        with switch_source_input(self.state, lines):
            nested_parse_with_titles(self.state, lines, node)
        return node.children


def setup(app):
    app.add_config_value('wsheap_srctree', os.getcwd(), 'env')
    app.add_config_value('wsheap_kernel_doc', None, 'env')
    app.add_directive('kernel-doc', KernelDocDirective)
    return {
        'version': __version__,
        'parallel_read_safe': True,
        'parallel_write_safe': True,
    }
