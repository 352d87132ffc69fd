"""The text engine: fonts, itemisation, shaping (HarfBuzz) and line breaking (ICU).

It returns plain data — glyph ids, advances, lines — and knows nothing about
the page or the PDF.
"""
