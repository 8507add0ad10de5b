/* The divisions browser: a unit, its children in a list and on a map, from /api/v1/units, over the
   system's vector tiles (citymap.js). No outside requests: the map draws only our own data. */
/* global ol, cityMap */
'use strict';

(function () {
  const mapElement = document.getElementById('map');
  const territory = mapElement.dataset.territory;
  const geojson = new ol.format.GeoJSON({
    dataProjection: mapElement.dataset.apiCrs, featureProjection: mapElement.dataset.mapCrs
  });
  // Interface strings of the page's language (web/i18n.py), embedded by the template.
  const t = JSON.parse(document.getElementById('i18n').textContent);
  const levelNames = t.levels;
  const lang = document.documentElement.lang === 'en' ? 'en-GB' : 'zh-CN';

  const outlineStyle = new ol.style.Style({
    stroke: new ol.style.Stroke({color: '#1f4e8c', width: 2.5}),
    fill: new ol.style.Fill({color: 'rgba(31, 78, 140, 0.04)'})
  });
  /* A point of the API's unit properties ([lon, lat]: ``label``, ``marker``) in the map's projection. */
  function pointOf(lonLat) {
    return lonLat ? geojson.readGeometry({type: 'Point', coordinates: lonLat}) : undefined;
  }

  function childStyle(feature) {
    const highlighted = feature.get('highlighted');
    const point = feature.getGeometry().getType() === 'Point';
    const area = new ol.style.Style({
      stroke: new ol.style.Stroke({color: highlighted ? '#d9480f' : '#4a6fa5', width: highlighted ? 2.5 : 1.2}),
      fill: new ol.style.Fill({color: highlighted ? 'rgba(217, 72, 15, 0.15)' : 'rgba(74, 111, 165, 0.08)'}),
      image: point ? new ol.style.Circle({
        radius: highlighted ? 7 : 5,
        fill: new ol.style.Fill({color: highlighted ? '#d9480f' : '#1f4e8c'}),
        stroke: new ol.style.Stroke({color: '#fff', width: 1.5})
      }) : undefined
    });
    // The tiles already name the units where boundaries.services.markers says (the city and counties at
    // their seats, districts at their area label points): a polygon is named here only while it is
    // highlighted, at that same point (the API's ``label``); a point (a unit without a polygon) always.
    if (!point && !highlighted) return area;
    const text = new ol.style.Style({
      geometry: point ? undefined : pointOf(feature.get('label')),
      text: new ol.style.Text({
        text: feature.get('name'), font: '13px "Noto Sans CJK SC", sans-serif', offsetY: point ? -12 : 0,
        fill: new ol.style.Fill({color: '#1d2430'}), stroke: new ol.style.Stroke({color: '#fff', width: 3}),
        overflow: true
      })
    });
    return [area, text];
  }

  const outlineSource = new ol.source.Vector();
  const childSource = new ol.source.Vector();
  const map = cityMap.create(mapElement, {
    layers: [
      new ol.layer.Vector({source: outlineSource, style: outlineStyle}),
      new ol.layer.Vector({source: childSource, style: childStyle, declutter: cityMap.LABELS})
    ],
    fitCounties: false  // the page fits the map to the unit it shows
  }).map;

  // ?at=YYYY-MM-DD (the page checked it): every unit as it stood that day (the API's at).
  const banner = document.getElementById('as-of');
  const at = banner ? banner.dataset.at : '';
  function dated(url) { return at ? url + (url.includes('?') ? '&' : '?') + 'at=' + encodeURIComponent(at) : url; }

  async function getJSON(url) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}});
    if (!response.ok) throw new Error(url + ': ' + response.status);
    return response.json();
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function renderCard(unit) {
    const p = unit.properties;
    const card = document.getElementById('unit-card');
    card.replaceChildren();
    card.append(el('div', p.name, 'name'));
    const dl = el('dl');
    const rows = [
      [t.card_code, p.code], [t.card_level, levelNames[p.level] || p.level],
      [t.card_parent, p.parent ? p.parent.name : '—'],
      [t.card_area, p.area_km2 !== null ? p.area_km2.toLocaleString(lang) + ' km²' : t.card_no_boundary],
      [t.card_children, t.card_children_count.replace('{n}', p.children.length)],
      [t.card_source, p.source ? p.source.title : '—']
    ];
    if (p.current) rows.push([t.card_today, p.current.name + ' ' + p.current.code]);
    p.other_names.forEach(n => rows.push([n.kind === 'former' ? t.card_former_name : t.card_statistical_name, n.name]));
    p.other_codes.forEach(c => rows.push([c.kind === 'former' ? t.card_former_code : t.card_statistical_code, c.code]));
    rows.forEach(([k, v]) => { dl.append(el('dt', k), el('dd', v)); });
    card.append(dl);
    if (p.level === 'statistical') card.append(el('span', t.card_statistical_badge, 'badge warn'));
  }

  async function renderBreadcrumb(unit) {
    const chain = [unit.properties];
    let parent = unit.properties.parent;
    while (parent) {
      chain.unshift(parent);
      parent = parent.code === territory ? null : (await getJSON(dated('/api/v1/units/' + parent.code + '?geometry=none'))).properties.parent;
    }
    const nav = document.getElementById('breadcrumb');
    nav.replaceChildren();
    chain.forEach((u, i) => {
      if (i) nav.append(el('span', '›', 'sep'));
      const a = el('a', u.name);
      a.href = '#' + u.code;
      nav.append(a);
    });
  }

  function renderChildren(collection) {
    const list = document.getElementById('children');
    list.replaceChildren();
    document.getElementById('children-title').textContent = t.children_title + ' (' + collection.features.length + ')';
    collection.features.forEach(f => {
      const li = el('li');
      li.dataset.code = f.properties.code;
      const name = el('span', f.properties.name);
      li.append(name, el('span', levelNames[f.properties.level] || f.properties.level, 'level'));
      li.addEventListener('click', () => { location.hash = f.properties.code; });
      li.addEventListener('mouseenter', () => highlight(f.properties.code, true));
      li.addEventListener('mouseleave', () => highlight(f.properties.code, false));
      list.append(li);
    });
  }

  function highlight(code, on) {
    const feature = childSource.getFeatureById(code);
    if (feature) feature.set('highlighted', on);
    document.querySelectorAll('#children li').forEach(li => li.classList.toggle('hover', on && li.dataset.code === code));
  }

  async function show(code) {
    const unit = await getJSON(dated('/api/v1/units/' + encodeURIComponent(code) + '?geometry=simplified'));
    const children = await getJSON(dated('/api/v1/units?parent=' + encodeURIComponent(unit.properties.code) + '&geometry=simplified'));
    renderCard(unit);
    renderChildren(children);
    renderBreadcrumb(unit);
    outlineSource.clear();
    childSource.clear();
    if (unit.geometry) outlineSource.addFeature(geojson.readFeature(unit));
    childSource.addFeatures(geojson.readFeatures({
      type: 'FeatureCollection', features: children.features.filter(f => f.geometry)
    }));
    const extent = outlineSource.getFeatures().length ? outlineSource.getExtent() : childSource.getExtent();
    if (extent && isFinite(extent[0])) map.getView().fit(extent, {padding: [30, 30, 30, 30], maxZoom: 12, duration: 300});
  }

  map.on('singleclick', event => {
    const feature = map.forEachFeatureAtPixel(event.pixel, f => (childSource.hasFeature(f) ? f : undefined));
    if (feature) location.hash = feature.getId();
  });
  let hovered = null;
  map.on('pointermove', event => {
    const feature = map.forEachFeatureAtPixel(event.pixel, f => (childSource.hasFeature(f) ? f : undefined));
    const code = feature ? feature.getId() : null;
    if (code !== hovered) {
      if (hovered) highlight(hovered, false);
      if (code) highlight(code, true);
      hovered = code;
    }
    mapElement.style.cursor = feature ? 'pointer' : '';
  });

  function route() {
    const code = decodeURIComponent(location.hash.slice(1)) || territory;
    show(code).catch(error => {
      document.getElementById('unit-card').replaceChildren(el('p', t.cannot_read + ' ' + code + ': ' + error.message));
    });
  }
  window.addEventListener('hashchange', route);
  route();
})();
