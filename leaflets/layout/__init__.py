"""Layout: designs and text become pages of positioned items (frames).

Layout never imports a PDF library; renderers read only :mod:`leaflets.layout.frame`.
"""
