/* Shared by the portal pages: an OpenLayers map of the territory drawn from the system's own vector tiles
   (/tiles/{z}/{x}/{y}.mvt: units, boundary lines, the areas around, place labels), styled by the rules of
   /tiles/style.json, an optional base map (PORTAL_BASEMAP_URL, none by default), the page's interface
   strings and small helpers. Names are data: they go into the page as text only.

   The style is applied by a small reader of the GL style (glStyleFunction below), not by ol-mapbox-style:
   that package would need a script tag of its own and fetches web fonts from a CDN when a font is not a
   loaded web font, and no request may leave the server. The reader understands what tiles/vector/style.py
   writes: background, fill, line, circle and symbol layers; minzoom/maxzoom; the expressions get,
   geometry-type, literal, match, in, all, any, !, ==, !=, <, <=, >, >=. It fails loudly on anything else. */
/* global ol */
'use strict';

window.cityMap = (function () {
  // Interface strings of the page's language (web/i18n.py), embedded by base.html.
  const t = JSON.parse(document.getElementById('i18n').textContent);
  const lang = document.documentElement.lang === 'en' ? 'en' : 'zh';
  const CITY_CENTRE = [129.9, 44.6];
  const LABELS = 'labels';  // the declutter group of place labels and the pages' own points and labels
  const STYLE_URL = '/tiles/style.json';
  // Resolution (m/px) of GL zoom 0: a 512-pixel tile of the whole Web Mercator world.
  const GL_RESOLUTION_Z0 = 78271.51696402048;

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

  // ---- the GL style, read for OpenLayers ------------------------------------------------------------

  const OPERATORS = new Set(['get', 'geometry-type', 'literal', 'concat', 'match', 'in', 'all', 'any', '!',
    '==', '!=', '<', '<=', '>', '>=']);

  function isExpression(value) {
    return Array.isArray(value) && typeof value[0] === 'string' && OPERATORS.has(value[0]);
  }

  /* The value of a style expression for one feature (a plain value is itself). */
  function evaluate(expression, feature) {
    if (!Array.isArray(expression)) return expression;
    if (!isExpression(expression)) throw new Error('style expression not understood: ' + JSON.stringify(expression));
    const [op, ...args] = expression;
    const value = arg => evaluate(arg, feature);
    switch (op) {
      case 'get': return feature.get(args[0]);
      case 'geometry-type': return feature.getType().replace('Multi', '');
      case 'literal': return args[0];
      case 'concat': return args.map(arg => String(value(arg) ?? '')).join('');
      case 'all': return args.every(arg => value(arg));
      case 'any': return args.some(arg => value(arg));
      case '!': return !value(args[0]);
      case '==': return value(args[0]) === value(args[1]);
      case '!=': return value(args[0]) !== value(args[1]);
      case '<': return value(args[0]) < value(args[1]);
      case '<=': return value(args[0]) <= value(args[1]);
      case '>': return value(args[0]) > value(args[1]);
      case '>=': return value(args[0]) >= value(args[1]);
      case 'in': {
        const haystack = value(args[1]);
        return Array.isArray(haystack) ? haystack.includes(value(args[0])) : String(haystack).includes(value(args[0]));
      }
      case 'match': {
        const input = value(args[0]);
        for (let i = 1; i + 1 < args.length; i += 2) {
          if (Array.isArray(args[i]) ? args[i].includes(input) : args[i] === input) return value(args[i + 1]);
        }
        return value(args[args.length - 1]);
      }
    }
    throw new Error('style expression not understood: ' + op);
  }

  function withOpacity(color, opacity) {
    const rgba = ol.color.asArray(color).slice();
    rgba[3] *= opacity === undefined ? 1 : opacity;
    return rgba;
  }

  function cssFont(fonts, size) {
    const name = (fonts && fonts[0]) || 'Noto Sans CJK SC Regular';
    const bold = /\bBold$/.test(name);
    const family = name.replace(/\s+(Regular|Bold|Medium|Light)$/, '');
    return (bold ? 'bold ' : '') + size + 'px "' + family + '", sans-serif';
  }

  /* How one GL layer turns a feature into an OpenLayers style (cached by the values that decide it). */
  function makerFor(layer, zIndex) {
    const paint = layer.paint || {};
    const layout = layer.layout || {};
    const cache = {};
    const cached = (key, make) => cache[key] || (cache[key] = make());
    const get = (props, name, feature, fallback) => (name in props ? evaluate(props[name], feature) : fallback);
    if (layer.type === 'fill') {
      return feature => {
        const color = get(paint, 'fill-color', feature, '#000');
        const opacity = get(paint, 'fill-opacity', feature, 1);
        return cached(color + '|' + opacity, () => new ol.style.Style({
          fill: new ol.style.Fill({color: withOpacity(color, opacity)}), zIndex: zIndex
        }));
      };
    }
    if (layer.type === 'line') {
      return feature => {
        const color = get(paint, 'line-color', feature, '#000');
        const width = get(paint, 'line-width', feature, 1);
        const opacity = get(paint, 'line-opacity', feature, 1);
        return cached(color + '|' + width + '|' + opacity, () => new ol.style.Style({
          stroke: new ol.style.Stroke({
            color: withOpacity(color, opacity), width: width,
            lineDash: paint['line-dasharray'] ? paint['line-dasharray'].map(d => d * width) : undefined,
            lineCap: layout['line-cap'] || 'butt', lineJoin: layout['line-join'] || 'miter'
          }),
          zIndex: zIndex
        }));
      };
    }
    if (layer.type === 'circle') {
      return feature => {
        const radius = get(paint, 'circle-radius', feature, 5);
        const color = get(paint, 'circle-color', feature, '#000');
        return cached(radius + '|' + color, () => new ol.style.Style({
          image: new ol.style.Circle({
            radius: radius, fill: new ol.style.Fill({color: color}), declutterMode: 'none',
            stroke: new ol.style.Stroke({
              color: get(paint, 'circle-stroke-color', feature, '#fff'),
              width: get(paint, 'circle-stroke-width', feature, 0)
            })
          }),
          zIndex: zIndex
        }));
      };
    }
    if (layer.type === 'symbol') {
      return feature => {
        const text = get(layout, 'text-field', feature, '');
        if (text === undefined || text === null || text === '') return null;
        const size = get(layout, 'text-size', feature, 16);
        const offset = layout['text-offset'] || [0, 0];
        return cached(String(text), () => new ol.style.Style({
          text: new ol.style.Text({
            text: String(text), font: cssFont(layout['text-font'], size),
            textBaseline: layout['text-anchor'] === 'top' ? 'top' : 'middle',
            offsetX: offset[0] * size, offsetY: offset[1] * size, overflow: true,
            placement: layout['symbol-placement'] === 'line' ? 'line' : 'point',
            fill: new ol.style.Fill({color: get(paint, 'text-color', feature, '#000')}),
            stroke: new ol.style.Stroke({
              color: get(paint, 'text-halo-color', feature, '#fff'),
              width: 2 * get(paint, 'text-halo-width', feature, 0)
            })
          }),
          // GL places later symbol layers first; OpenLayers declutters higher zIndex first: the same order.
          zIndex: zIndex
        }));
      };
    }
    throw new Error('style layer type not understood: ' + layer.type);
  }

  /* An OpenLayers style function that draws the vector tiles as the GL style says. */
  function glStyleFunction(glStyle) {
    const rules = {};
    glStyle.layers.forEach((layer, index) => {
      if (layer.type === 'background') return;
      (rules[layer['source-layer']] = rules[layer['source-layer']] || []).push({
        minzoom: layer.minzoom || 0, maxzoom: layer.maxzoom || 24, filter: layer.filter,
        make: makerFor(layer, index)
      });
    });
    return (feature, resolution) => {
      const zoom = Math.log2(GL_RESOLUTION_Z0 / resolution);
      const styles = [];
      (rules[feature.get('layer')] || []).forEach(rule => {
        if (zoom < rule.minzoom || zoom >= rule.maxzoom) return;
        if (rule.filter && !evaluate(rule.filter, feature)) return;
        const style = rule.make(feature);
        if (style) styles.push(style);
      });
      return styles;
    };
  }

  function backgroundOf(glStyle) {
    const layer = glStyle.layers.find(l => l.type === 'background');
    return layer && layer.paint ? layer.paint['background-color'] : undefined;
  }

  /* The vector tile layer; its source and style come with /tiles/style.json. Counts its tiles for tests. */
  function tileLayer(mapCrs, apiCrs) {
    const layer = new ol.layer.VectorTile({declutter: LABELS});
    const stats = {requested: 0, loaded: 0, failed: 0};
    const styled = getJSON(STYLE_URL).then(glStyle => {
      const source = Object.values(glStyle.sources)[0];
      const tiles = new ol.source.VectorTile({
        format: new ol.format.MVT(), url: source.tiles[0], projection: mapCrs,
        minZoom: source.minzoom, maxZoom: source.maxzoom, attributions: source.attribution
      });
      tiles.on('tileloadstart', () => { stats.requested += 1; });
      tiles.on('tileloadend', () => { stats.loaded += 1; });
      tiles.on('tileloaderror', () => { stats.failed += 1; });
      layer.setSource(tiles);
      layer.setStyle(glStyleFunction(glStyle));
      layer.setBackground(backgroundOf(glStyle));
      const bounds = glStyle.metadata && glStyle.metadata['mdj:bounds'];
      return bounds ? ol.proj.transformExtent(bounds, apiCrs, mapCrs) : null;
    });
    return {layer, stats, styled};
  }

  // ---- the map ------------------------------------------------------------------------------------------

  /* A map in ``element`` (data-territory, data-api-crs, data-map-crs, data-basemap): the vector tiles of
     the territory under ``options.layers``. ``countySource`` holds the county-level units as data (code,
     name; no geometry), for the pages' lists. ``ready`` resolves with them once the tiles' style is set
     and the map fitted to the territory (unless ``options.fitCounties`` is false). */
  function create(element, options) {
    options = options || {};
    const data = element.dataset;
    const format = new ol.format.GeoJSON({dataProjection: data.apiCrs, featureProjection: data.mapCrs});
    const countySource = new ol.source.Vector();
    const tiles = tileLayer(data.mapCrs, data.apiCrs);
    const layers = [tiles.layer];
    if (data.basemap) {
      tiles.layer.setOpacity(0.75);
      layers.unshift(new ol.layer.Tile({
        source: new ol.source.XYZ({url: data.basemap, attributions: data.basemapAttribution || undefined})
      }));
    }
    (options.layers || []).forEach(layer => layers.push(layer));
    const map = new ol.Map({
      target: element,
      layers: layers,
      view: new ol.View({projection: data.mapCrs, center: ol.proj.fromLonLat(CITY_CENTRE, data.mapCrs), zoom: 7}),
      controls: ol.control.defaults.defaults().extend([new ol.control.ScaleLine()])
    });
    const url = '/api/v1/units?parent=' + encodeURIComponent(data.territory) + '&geometry=none';
    const counties = getJSON(url).then(collection => {
      countySource.addFeatures(format.readFeatures(collection));
      return collection;
    });
    const ready = Promise.all([counties, tiles.styled]).then(([collection, extent]) => {
      if (options.fitCounties !== false && extent) map.getView().fit(extent, {padding: [20, 20, 20, 20]});
      return collection;
    });
    return {
      map: map,
      format: format,
      countySource: countySource,
      tileLayer: tiles.layer,
      ready: ready,
      tileStats: () => Object.assign({}, tiles.stats),
      /* The properties of the tile features drawn at a pixel (hit detection on what was rendered). */
      backgroundAt: pixel => map.getFeaturesAtPixel(pixel, {layerFilter: layer => layer === tiles.layer, hitTolerance: 0})
        .map(feature => Object.assign({}, feature.getProperties())),
      toLonLat: coordinate => ol.proj.toLonLat(coordinate, data.mapCrs),
      fromLonLat: lonLat => ol.proj.fromLonLat(lonLat, data.mapCrs)
    };
  }

  return {LABELS, t, lang, el, link, getJSON, categoryLabel, unitLabel, distanceLabel, create, glStyleFunction};
})();
