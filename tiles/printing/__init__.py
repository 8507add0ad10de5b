"""Print maps (行政区划图): the administrative map of a unit as a vector PDF sheet, with PNG and SVG
exports of the same sheet.

How a map is made (``service.render_map``):
1. ``content`` reads what the map shows as of a day (units, names, seats, lines, surrounding areas,
   places) and projects it to the metric CRS (core.srid.METRIC_SRID);
2. ``scale`` chooses the representative fraction that fits the unit in the map frame of the paper;
3. ``renderer`` draws the map frame with Mapnik (``style`` builds its XML) to a PDF of its own, and
   ``inset`` the location inset;
4. ``sheet`` draws the sheet around them (title, legend, scale bar, north arrow, grid labels,
   compilation note) with WeasyPrint and places the frames on it with pypdf;
5. ``labels`` reads the frame's text back (pdftotext) and lists every name that was not drawn.
"""
