// The admin's map widgets (boundaries/widgets.py, template gis/offline_openlayers.html): Django's
// MapWidget (gis/js/OLMapWidget.js) over the system's own vector tiles, as on every map of the site;
// no outside request. Each widget's options come from its JSON element, so that the page needs no
// inline script (Content-Security-Policy).
(function () {
  'use strict';

  const BOUNDARY_COLOURS = {
    national: '#1a1a1a', province: '#444', prefecture: '#555', county: '#4a6fa5', township: '#8a9bb5'
  };

  function tileStyle(feature) {
    const layer = feature.get('layer');
    if (layer === 'units' || layer === 'context') {
      return new ol.style.Style({
        fill: new ol.style.Fill({color: layer === 'units' ? 'rgba(74, 111, 165, 0.06)' : 'rgba(0, 0, 0, 0.04)'})
      });
    }
    if (layer === 'boundaries') {
      return new ol.style.Style({
        stroke: new ol.style.Stroke({color: BOUNDARY_COLOURS[feature.get('level')] || '#4a6fa5', width: 1.2})
      });
    }
    if (layer === 'places' && feature.get('rank') <= 3) {
      return new ol.style.Style({
        text: new ol.style.Text({
          text: feature.get('name'), font: (feature.get('rank') <= 2 ? 'bold ' : '') + '12px sans-serif',
          fill: new ol.style.Fill({color: '#1d2430'}), stroke: new ol.style.Stroke({color: '#fff', width: 3})
        })
      });
    }
    return null;
  }

  function baseLayer(tiles) {
    return new ol.layer.VectorTile({
      declutter: true,
      source: new ol.source.VectorTile({format: new ol.format.MVT(), url: tiles}),
      style: tileStyle
    });
  }

  function start(wrapper) {
    const options = JSON.parse(document.getElementById(wrapper.dataset.mapOptions).textContent);
    options.base_layer = baseLayer(options.tiles);
    // The global Django's own template declares for each widget (geodjango_<field name>).
    const widget = new MapWidget(options);  // eslint-disable-line no-undef
    window[options.module] = widget;
    if (options.read_only) {  // shown, not edited: no drawing, no moving vertices
      Object.values(widget.interactions).forEach(interaction => interaction && widget.map.removeInteraction(interaction));
    }
  }

  function startAll() {
    document.querySelectorAll('.dj_map_wrapper[data-map-options]').forEach(start);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', startAll);
  } else {
    startAll();
  }
})();
