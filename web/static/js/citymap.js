/* Shared by the portal pages: an OpenLayers map of the territory drawn from the system's own data
   (county polygons from /api/v1/units), an optional base map (PORTAL_BASEMAP_URL, none by default),
   the page's interface strings and small helpers. Names are data: they go into the page as text only. */
/* global ol */
'use strict';

window.cityMap = (function () {
  // Interface strings of the page's language (web/i18n.py), embedded by base.html.
  const t = JSON.parse(document.getElementById('i18n').textContent);
  const lang = document.documentElement.lang === 'en' ? 'en' : 'zh';
  const CITY_CENTRE = [129.9, 44.6];
  const LABELS = 'labels';  // the declutter group of county names and the pages' own points and labels

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function link(href, text, className) {
    const a = el('a', text, className);
    a.href = href;
    return a;
  }

  /* GET JSON; an error status becomes an Error carrying the status and the API's message. */
  async function getJSON(url, options) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}, signal: options && options.signal});
    let body = null;
    try { body = await response.json(); } catch (parseError) { body = null; }
    if (!response.ok) {
      const message = body && body.error && body.error.message;
      const error = new Error(message || (response.status + ' ' + response.statusText));
      error.status = response.status;
      throw error;
    }
    return body;
  }

  /* A category as the search API gives it ({code, name, name_en}) or as plain text. */
  function categoryLabel(category) {
    if (!category) return '';
    if (typeof category === 'string') return category;
    return (lang === 'en' && category.name_en) || category.name || category.code || '';
  }

  function unitLabel(unit) {
    if (!unit) return '';
    if (typeof unit === 'string') return unit;
    return unit.name || unit.code || '';
  }

  function distanceLabel(metres) {
    if (metres === undefined || metres === null) return '';
    return metres < 1000 ? Math.round(metres) + ' m' : (metres / 1000).toFixed(1) + ' km';
  }

  const countyStyles = {};
  function countyStyle(feature) {
    const name = feature.get('name') || '';
    if (!countyStyles[name]) {
      countyStyles[name] = new ol.style.Style({
        stroke: new ol.style.Stroke({color: '#4a6fa5', width: 1.3}),
        fill: new ol.style.Fill({color: 'rgba(74, 111, 165, 0.07)'}),
        text: new ol.style.Text({
          text: name, font: '13px "Noto Sans CJK SC", sans-serif', overflow: true,
          fill: new ol.style.Fill({color: '#34445a'}), stroke: new ol.style.Stroke({color: '#fff', width: 3})
        })
      });
    }
    return countyStyles[name];
  }

  /* A map in ``element`` (data-territory, data-api-crs, data-map-crs, data-basemap): the counties of
     the territory under ``options.layers``. ``ready`` resolves when the counties are drawn. */
  function create(element, options) {
    options = options || {};
    const data = element.dataset;
    const format = new ol.format.GeoJSON({dataProjection: data.apiCrs, featureProjection: data.mapCrs});
    const countySource = new ol.source.Vector();
    const layers = [];
    if (data.basemap) {
      layers.push(new ol.layer.Tile({
        source: new ol.source.XYZ({url: data.basemap, attributions: data.basemapAttribution || undefined})
      }));
    }
    layers.push(new ol.layer.Vector({source: countySource, style: countyStyle, declutter: LABELS}));
    (options.layers || []).forEach(layer => layers.push(layer));
    const map = new ol.Map({
      target: element,
      layers: layers,
      view: new ol.View({projection: data.mapCrs, center: ol.proj.fromLonLat(CITY_CENTRE, data.mapCrs), zoom: 7}),
      controls: ol.control.defaults.defaults().extend([new ol.control.ScaleLine()])
    });
    const url = '/api/v1/units?parent=' + encodeURIComponent(data.territory) + '&geometry=simplified';
    const ready = getJSON(url).then(collection => {
      countySource.addFeatures(format.readFeatures({
        type: 'FeatureCollection', features: collection.features.filter(f => f.geometry)
      }));
      if (options.fitCounties !== false && countySource.getFeatures().length) {
        map.getView().fit(countySource.getExtent(), {padding: [20, 20, 20, 20]});
      }
      return collection;
    });
    return {
      map: map,
      format: format,
      countySource: countySource,
      ready: ready,
      toLonLat: coordinate => ol.proj.toLonLat(coordinate, data.mapCrs),
      fromLonLat: lonLat => ol.proj.fromLonLat(lonLat, data.mapCrs)
    };
  }

  return {LABELS, t, lang, el, link, getJSON, categoryLabel, unitLabel, distanceLabel, create};
})();
