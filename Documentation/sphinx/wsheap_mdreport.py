# SPDX-License-Identifier: GPL-2.0-only
"""
The ``markdown-report`` directive of the wsheap documentation.

::

    .. markdown-report:: benchmark-results.md

reads a Markdown report that a tool generated (the path is relative to the
document) and puts it in the page as reStructuredText: headings become
subsections of the section the directive is in, pipe tables become
tables, bullets and paragraphs stay bullets and paragraphs; ```code``` and
``**bold**`` are kept, every other character is literal text.  The first
level-one heading is dropped: the page's own section is the report's title.

A line that is only an image, ``![text](file.svg)`` (tests/bench/plot links
its plots so, under the tables they draw), becomes an image if the file
exists beside the report, and is left out if not: a report whose plots
were not drawn (no matplotlib) or not published builds all the same.

Debian's Sphinx has no Markdown parser, and ``make bench`` must keep
writing Markdown, so the report is translated at build time instead of
being kept twice.  Only what the report generator writes is understood;
anything else is kept as a paragraph of literal text.
"""

import os
import re

from docutils import nodes
from docutils.statemachine import ViewList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, switch_source_input

__version__ = '1.0'

logger = logging.getLogger(__name__)

HEADING_RE = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')
BULLET_RE = re.compile(r'^[-*+]\s+(.*)$')
TABLE_RULE_RE = re.compile(r'^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$')
IMAGE_RE = re.compile(r'^!\[([^\]]*)\]\(([^)\s]+)\)\s*$')
INLINE_RE = re.compile(r'`([^`]+)`|\*\*(.+?)\*\*')
# Everything that could start reStructuredText markup is escaped.
PUNCT_RE = re.compile(r'([!-/:-@\[-`{-~])')
# Adornments for section levels the document has not used yet.
SPARE_ADORNMENTS = '~^"+\'#*=-`:.'


def escape(text):
    return PUNCT_RE.sub(r'\\\1', text)


def inline(text):
    """Markdown inline text to reStructuredText, markup kept, rest literal."""
    out = []
    pos = 0
    for m in INLINE_RE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        if m.group(1) is not None:
            markup = '``%s``' % m.group(1)
        else:
            markup = '**%s**' % escape(m.group(2))
        # An escaped space keeps the markup recognised next to other text.
        if out[-1] and not out[-1][-1].isspace():
            markup = '\\ ' + markup
        if m.end() < len(text) and not text[m.end()].isspace():
            markup += '\\ '
        out.append(markup)
        pos = m.end()
    out.append(escape(text[pos:]))
    return ''.join(out)


def table_cells(line):
    line = line.strip()
    if line.startswith('|'):
        line = line[1:]
    if line.endswith('|'):
        line = line[:-1]
    return [cell.strip() for cell in line.split('|')]


class MarkdownReportDirective(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        try:
            with open(path, encoding='utf-8') as f:
                md = f.read().splitlines()
        except OSError as e:
            logger.warning('markdown-report: cannot read %s: %s',
                           self.arguments[0], e,
                           location=(self.env.docname, self.lineno))
            return []

        self.src = rel
        self.report_dir = os.path.dirname(path)
        self.out = ViewList()
        self.styles = self.section_styles()
        self.convert(md)

        node = nodes.section()
        node.document = self.state.document
        with switch_source_input(self.state, self.out):
            # Titles are allowed and keep the levels of the page around.
            self.state.nested_parse(self.out, 0, node, match_titles=True)
        return node.children

    def section_styles(self):
        """Adornments for the two levels below the current section."""
        memo = self.state.memo
        used = list(memo.title_styles)
        level = memo.section_level
        styles = []
        for depth in (level + 1, level + 2):
            if depth - 1 < len(used):
                styles.append(used[depth - 1])
                continue
            taken = {s if isinstance(s, str) else s[1] for s in used}
            taken |= {s if isinstance(s, str) else s[1] for s in styles}
            styles.append(next(c for c in SPARE_ADORNMENTS if c not in taken))
        return styles

    def emit(self, line, lineno):
        self.out.append(line, self.src, lineno)

    def heading(self, level, text, lineno):
        style = self.styles[min(level, 3) - 2]
        title = inline(text)
        width = len(title) + 2
        if isinstance(style, str):
            self.emit(title, lineno)
            self.emit(style * width, lineno)
        else:
            self.emit(style[0] * width, lineno)
            self.emit(title, lineno)
            self.emit(style[1] * width, lineno)
        self.emit('', lineno)

    def table(self, rows, lineno):
        header = table_cells(rows[0])
        width = len(header)
        # Right-aligned columns after the first (``---:``): a table of
        # figures, whose cells the style sheet aligns right.
        rule = table_cells(rows[1])
        numeric = len(rule) > 1 and all(c.endswith(':') for c in rule[1:])
        self.emit('.. list-table::', lineno)
        self.emit('   :header-rows: 1', lineno)
        self.emit('   :class: wsheap-report%s'
                  % (' wsheap-figures' if numeric else ''), lineno)
        self.emit('', lineno)
        for i, row in enumerate([rows[0]] + rows[2:]):
            cells = table_cells(row) if i else header
            cells = (cells + [''] * width)[:width]
            for j, cell in enumerate(cells):
                text = (' ' + inline(cell)) if cell else ''
                self.emit(('   * -' if j == 0 else '     -') + text,
                          lineno + i)
        self.emit('', lineno)

    def image(self, alt, target, lineno):
        """An image beside the report, if it is there; nothing if not."""
        if '://' in target or os.path.isabs(target):
            return
        path = os.path.normpath(os.path.join(self.report_dir, target))
        if not os.path.isfile(path):
            logger.verbose('markdown-report: %s: no %s, left out',
                           self.src, target)
            return
        rel = os.path.relpath(path, self.env.srcdir)
        if rel.startswith(os.pardir + os.sep):
            logger.verbose('markdown-report: %s: %s is outside the sources, '
                           'left out', self.src, target)
            return
        self.env.note_dependency(path)
        # From the source directory, wherever the page is.
        uri = '/' + rel.replace(os.sep, '/')
        self.emit('.. image:: %s' % uri, lineno)
        self.emit('   :alt: %s' % ' '.join(alt.split()), lineno)
        self.emit('   :class: wsheap-plot', lineno)
        self.emit('', lineno)

    def convert(self, md):
        i = 0
        seen_title = False
        while i < len(md):
            line = md[i]
            if not line.strip():
                i += 1
                continue
            m = IMAGE_RE.match(line)
            if m:
                self.image(m.group(1), m.group(2), i)
                i += 1
                continue
            m = HEADING_RE.match(line)
            if m:
                level = len(m.group(1))
                if level == 1 and not seen_title:
                    seen_title = True
                else:
                    self.heading(max(level, 2), m.group(2), i)
                i += 1
                continue
            if (line.lstrip().startswith('|') and i + 1 < len(md) and
                    TABLE_RULE_RE.match(md[i + 1])):
                start = i
                i += 2
                while i < len(md) and md[i].lstrip().startswith('|'):
                    i += 1
                self.table(md[start:i], start)
                continue
            m = BULLET_RE.match(line)
            if m:
                start = i
                text = [m.group(1)]
                i += 1
                # Continuation lines are indented.
                while i < len(md) and md[i].startswith(' ') and md[i].strip():
                    text.append(md[i].strip())
                    i += 1
                self.emit('* ' + inline(' '.join(text)), start)
                if i >= len(md) or not BULLET_RE.match(md[i]):
                    self.emit('', start)
                continue
            # A paragraph: this line, whatever it is, and the lines up to
            # a blank line or the start of something else.
            start = i
            text = [line.strip()]
            i += 1
            while (i < len(md) and md[i].strip() and
                   not HEADING_RE.match(md[i]) and
                   not BULLET_RE.match(md[i]) and
                   not IMAGE_RE.match(md[i]) and
                   not md[i].lstrip().startswith('|')):
                text.append(md[i].strip())
                i += 1
            self.emit(inline(' '.join(text)), start)
            self.emit('', start)


def setup(app):
    app.add_directive('markdown-report', MarkdownReportDirective)
    return {
        'version': __version__,
        'parallel_read_safe': True,
        'parallel_write_safe': True,
    }
