/* The place-name portal: search with type-ahead, results in a list and as points on the map (hover or
   select one to highlight it in both), and a reverse lookup wherever the map is clicked: the
   administrative units at that point and the nearest named places.
   Every name and text from the API is data: it goes into the page with textContent only. */
/* global ol, cityMap */
'use strict';

(function () {
  const {t, el, link, getJSON, categoryLabel, unitLabel, distanceLabel} = cityMap;
  const SUGGEST_DELAY_MS = 120;
  const SUGGEST_LIMIT = 8;
  const SEARCH_LIMIT = 20;
  const SELECT_ZOOM = 9;

  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const suggestionList = document.getElementById('suggestions');
  const statusLine = document.getElementById('status');
  const resultList = document.getElementById('results');
  const unitSelect = document.getElementById('unit');
  const categorySelect = document.getElementById('category');
  const atInput = document.getElementById('at');
  const herePanel = document.getElementById('here');
  const popupElement = document.getElementById('popup');

  // ---- the map: vector tiles (citymap.js), result points, the point clicked ----------------------

  function resultStyle(feature) {
    const hovered = feature.get('highlighted');
    const active = hovered || feature.get('selected');
    const styles = [new ol.style.Style({
      image: new ol.style.Circle({
        radius: active ? 11 : 8, declutterMode: 'obstacle',
        fill: new ol.style.Fill({color: active ? '#a61e00' : '#e8590c'}),
        stroke: new ol.style.Stroke({color: '#fff', width: 2})
      }),
      text: new ol.style.Text({
        text: String(feature.get('index')), font: 'bold 10px sans-serif', declutterMode: 'none',
        fill: new ol.style.Fill({color: '#fff'})
      }),
      zIndex: active ? 2 : 1
    })];
    if (hovered) {
      styles.push(new ol.style.Style({
        text: new ol.style.Text({
          text: feature.get('name'), font: 'bold 14px "Noto Sans CJK SC", sans-serif', offsetY: -22,
          fill: new ol.style.Fill({color: '#1d2430'}), stroke: new ol.style.Stroke({color: '#fff', width: 4})
        }),
        zIndex: 3
      }));
    }
    return styles;
  }
  const hereStyle = new ol.style.Style({
    image: new ol.style.Circle({
      radius: 7, fill: new ol.style.Fill({color: 'rgba(255, 255, 255, 0.7)'}),
      stroke: new ol.style.Stroke({color: '#1f4e8c', width: 3})
    })
  });

  const resultSource = new ol.source.Vector();
  const hereSource = new ol.source.Vector();
  // Decluttered with the place labels of the tiles (citymap.js): a label gives way to a result point.
  const resultLayer = new ol.layer.Vector({source: resultSource, style: resultStyle, declutter: cityMap.LABELS});
  const city = cityMap.create(document.getElementById('map'), {
    layers: [new ol.layer.Vector({source: hereSource, style: hereStyle}), resultLayer]
  });
  const map = city.map;
  const popup = new ol.Overlay({
    element: popupElement, positioning: 'bottom-center', offset: [0, -16], stopEvent: true,
    autoPan: {animation: {duration: 200}, margin: 30}
  });
  map.addOverlay(popup);

  // ---- helpers ------------------------------------------------------------------------------------

  function currentAt() { return atInput.value; }

  function recordUrl(code) {
    const at = currentAt();
    return '/places/' + encodeURIComponent(code) + (at ? '?at=' + encodeURIComponent(at) : '');
  }

  function pathLabel(path) { return (path || []).map(unit => unit.name).join(' › '); }

  /* Which name and form matched, e.g. "曾用名 东宁县 · 拼音"; nothing for the standard name in characters. */
  function matchedLabel(result) {
    const matched = result.matched;
    if (!matched) return '';
    const parts = [];
    if (matched.kind && (matched.kind !== 'standard' || (matched.name && matched.name !== result.name))) {
      parts.push((t.name_kinds[matched.kind] || matched.kind) + ' ' + (matched.name || ''));
    }
    if (matched.form && matched.form !== 'hanzi') parts.push(t.match_forms[matched.form] || matched.form);
    return parts.join(' · ');
  }

  function isAbort(error) { return error && error.name === 'AbortError'; }

  // ---- suggestions (type-ahead) -------------------------------------------------------------------

  let suggestTimer = null;
  let suggestController = null;
  let suggestions = [];
  let activeSuggestion = -1;

  function closeSuggestions() {
    suggestions = [];
    activeSuggestion = -1;
    suggestionList.replaceChildren();
    suggestionList.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function cancelSuggestions() {
    clearTimeout(suggestTimer);
    if (suggestController) suggestController.abort();
    suggestController = null;
    closeSuggestions();
  }

  function renderSuggestions(rows) {
    closeSuggestions();
    suggestions = rows;
    rows.forEach((row, i) => {
      const li = el('li', null, 'suggestion');
      li.id = 'suggestion-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.code = row.code;
      li.append(el('span', row.name, 's-name'), el('span', row.romanization, 's-roman'));
      if (t.standing_badges[row.standing]) li.append(el('span', t.standing_badges[row.standing], 'badge warn'));
      const matched = row.matched && (typeof row.matched === 'string' ? row.matched : row.matched.name);
      const meta = [categoryLabel(row.category), unitLabel(row.unit)].filter(Boolean).join(' · ');
      if (meta) li.append(el('span', meta, 's-meta'));
      if (matched && matched !== row.name) li.append(el('span', t.matched + t.colon + matched, 's-meta s-matched'));
      li.addEventListener('mousedown', event => event.preventDefault());  // keep the focus in the box
      li.addEventListener('click', () => choose(i));
      suggestionList.append(li);
    });
    suggestionList.hidden = rows.length === 0;
    input.setAttribute('aria-expanded', rows.length ? 'true' : 'false');
  }

  async function fetchSuggestions(q) {
    if (suggestController) suggestController.abort();
    const controller = new AbortController();
    suggestController = controller;
    try {
      const params = new URLSearchParams({q: q, limit: SUGGEST_LIMIT});
      const body = await getJSON('/api/v1/places/suggest?' + params, {signal: controller.signal});
      if (controller !== suggestController || input.value.trim() !== q) return;
      renderSuggestions(body.suggestions || []);
    } catch (error) {
      if (!isAbort(error)) closeSuggestions();  // a convenience only: the search reports its own errors
    }
  }

  function moveActive(step) {
    if (!suggestions.length) return;
    activeSuggestion = (activeSuggestion + step + suggestions.length) % suggestions.length;
    Array.from(suggestionList.children).forEach((li, i) => {
      li.setAttribute('aria-selected', i === activeSuggestion ? 'true' : 'false');
      li.classList.toggle('active', i === activeSuggestion);
    });
    input.setAttribute('aria-activedescendant', 'suggestion-' + activeSuggestion);
  }

  function choose(index) {
    const row = suggestions[index];
    if (!row) return;
    input.value = row.name;
    cancelSuggestions();
    runSearch({select: row.code});
  }

  input.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    const q = input.value.trim();
    if (!q) { cancelSuggestions(); return; }
    suggestTimer = setTimeout(() => fetchSuggestions(q), SUGGEST_DELAY_MS);
  });
  input.addEventListener('keydown', event => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (suggestions.length) { event.preventDefault(); moveActive(event.key === 'ArrowDown' ? 1 : -1); }
    } else if (event.key === 'Enter' && activeSuggestion >= 0) {
      event.preventDefault();
      choose(activeSuggestion);
    } else if (event.key === 'Escape') {
      cancelSuggestions();
    }
  });
  input.addEventListener('blur', () => setTimeout(closeSuggestions, 150));

  // ---- search and results -------------------------------------------------------------------------

  let searchController = null;
  let results = [];
  let hoveredCode = null;
  let selectedCode = null;

  function rememberInAddress(q) {
    const params = new URLSearchParams(location.search);
    params.delete('lang');
    [['q', q], ['unit', unitSelect.value], ['category', categorySelect.value], ['at', currentAt()]].forEach(
      ([key, value]) => (value ? params.set(key, value) : params.delete(key)));
    const query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : ''));
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle('error', Boolean(isError));
  }

  async function runSearch(options) {
    options = options || {};
    const q = input.value.trim();
    rememberInAddress(q);
    if (searchController) searchController.abort();
    if (!q) { showResults([]); setStatus(''); return; }
    const controller = new AbortController();
    searchController = controller;
    const params = new URLSearchParams({q: q, limit: SEARCH_LIMIT});
    if (unitSelect.value) params.set('unit', unitSelect.value);
    if (categorySelect.value) params.set('category', categorySelect.value);
    if (currentAt()) params.set('at', currentAt());
    setStatus(t.searching);
    try {
      const body = await getJSON('/api/v1/places/search?' + params, {signal: controller.signal});
      if (controller !== searchController) return;
      showResults(body.results || []);
      if (options.select && results.some(r => r.code === options.select)) select(options.select, {pan: true});
    } catch (error) {
      if (isAbort(error)) return;
      showResults([]);
      setStatus(error.status === 429 ? t.rate_limited : t.search_failed + t.colon + error.message, true);
    }
  }

  function hasPoint(result) { return typeof result.lon === 'number' && typeof result.lat === 'number'; }

  /* A boundary line or marker (gazetteer.search.boundaries) is not a place: it links to its line's page
     where one exists (result.url), else its name centres the map on it. Its meta: level, length, line. */
  const BOUNDARY_KINDS = ['boundary_line', 'boundary_marker'];
  function isBoundary(result) { return BOUNDARY_KINDS.includes(result.kind); }
  // An address (gazetteer.search.addresses) links to its road's page (result.url), like a boundary.
  function resultUrl(result) {
    return isBoundary(result) || result.kind === 'address' ? result.url : recordUrl(result.code);
  }
  function boundaryMeta(result) {
    if (result.kind === 'boundary_line') return typeof result.length_km === 'number' ? result.length_km.toFixed(1) + ' km' : '';
    return result.line ? result.line.name : '';
  }
  function resultLink(result) {
    const url = resultUrl(result);
    if (url) return link(url, result.name, 'result-name');
    const a = link('#', result.name, 'result-name');
    a.addEventListener('click', event => { event.preventDefault(); select(result.code, {pan: true}); });
    return a;
  }

  function resultItem(result, index) {
    const li = el('li', null, 'result');
    li.dataset.code = result.code;
    li.tabIndex = 0;
    const body = el('div', null, 'result-body');
    const head = el('div', null, 'result-head');
    head.append(resultLink(result));
    if (result.romanization) head.append(el('span', result.romanization, 'result-roman'));
    const standing = t.standing_badges[result.standing];  // a candidate or a demonstration record says so
    if (standing) head.append(el('span', standing, 'badge warn result-standing'));
    body.append(head);
    const meta = [categoryLabel(result.category), pathLabel(result.unit_path),
      isBoundary(result) ? boundaryMeta(result) : ''].filter(Boolean).join(' · ');
    if (meta) body.append(el('div', meta, 'result-meta'));
    const matched = matchedLabel(result);
    if (matched) body.append(el('div', t.matched + t.colon + matched, 'result-matched'));
    if (!hasPoint(result)) body.append(el('div', t.no_location, 'result-meta'));
    li.append(el('span', String(index + 1), hasPoint(result) ? 'result-index' : 'result-index off-map'), body);
    li.addEventListener('mouseenter', () => highlight(result.code));
    li.addEventListener('mouseleave', () => highlight(null));
    li.addEventListener('click', event => { if (!event.target.closest('a')) select(result.code, {pan: true}); });
    li.addEventListener('keydown', event => { if (event.key === 'Enter' && event.target === li) select(result.code, {pan: true}); });
    return li;
  }

  function resultFeature(result, index) {
    if (!hasPoint(result)) return null;
    const feature = new ol.Feature({
      geometry: new ol.geom.Point(city.fromLonLat([result.lon, result.lat])), name: result.name, index: index + 1
    });
    feature.setId(result.code);
    return feature;
  }

  function showResults(rows) {
    results = rows;
    hoveredCode = selectedCode = null;
    popup.setPosition(undefined);
    popupElement.hidden = true;
    resultSource.clear();
    resultList.replaceChildren(...rows.map(resultItem));
    resultSource.addFeatures(rows.map(resultFeature).filter(Boolean));
    setStatus(rows.length ? t.results_count.replace('{n}', rows.length) : t.no_results);
    if (resultSource.getFeatures().length) {
      map.getView().fit(resultSource.getExtent(), {padding: [60, 60, 60, 60], maxZoom: SELECT_ZOOM, duration: 250});
    }
  }

  function listItem(code) {
    return Array.from(resultList.children).find(li => li.dataset.code === code) || null;
  }

  function highlight(code) {
    if (code === hoveredCode) return;
    [hoveredCode, code].forEach(c => {
      const feature = c && resultSource.getFeatureById(c);
      if (feature) feature.set('highlighted', c === code);
      const li = c && listItem(c);
      if (li) li.classList.toggle('hover', c === code);
    });
    hoveredCode = code;
  }

  function select(code, options) {
    const result = results.find(r => r.code === code);
    if (!result) return;
    [selectedCode, code].forEach(c => {
      const feature = c && resultSource.getFeatureById(c);
      if (feature) feature.set('selected', c === code);
      const li = c && listItem(c);
      if (li) li.classList.toggle('selected', c === code);
    });
    selectedCode = code;
    const li = listItem(code);
    if (li) li.scrollIntoView({block: 'nearest'});
    const feature = resultSource.getFeatureById(code);
    if (!feature) { popup.setPosition(undefined); popupElement.hidden = true; return; }
    showPopup(result, feature.getGeometry().getCoordinates());
    if (options && options.pan) {
      const view = map.getView();
      view.animate({center: feature.getGeometry().getCoordinates(), zoom: Math.max(view.getZoom(), SELECT_ZOOM), duration: 250});
    }
  }

  function showPopup(result, coordinate) {
    const close = el('button', '×', 'popup-close');
    close.type = 'button';
    close.setAttribute('aria-label', t.close);
    close.addEventListener('click', () => { popup.setPosition(undefined); popupElement.hidden = true; });
    const rows = [close, el('div', result.name, 'popup-name')];
    if (result.romanization) rows.push(el('div', result.romanization, 'popup-roman'));
    const meta = [categoryLabel(result.category), pathLabel(result.unit_path)].filter(Boolean).join(' · ');
    if (meta) rows.push(el('div', meta, 'popup-meta'));
    if (resultUrl(result)) rows.push(link(resultUrl(result), t.open_record + ' ›', 'popup-link'));
    popupElement.replaceChildren(...rows);
    popupElement.hidden = false;
    popup.setPosition(coordinate);
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    cancelSuggestions();
    runSearch();
  });
  [unitSelect, categorySelect, atInput].forEach(control => control.addEventListener('change', () => {
    if (input.value.trim()) runSearch();
  }));

  // ---- what lies at a point (reverse lookup) ------------------------------------------------------

  let reverseController = null;
  let lastReverse = null;

  function hereHeader(lon, lat) {
    const close = el('button', '×', 'popup-close');
    close.type = 'button';
    close.setAttribute('aria-label', t.close);
    close.addEventListener('click', () => { herePanel.hidden = true; hereSource.clear(); });
    return [close, el('h2', t.here_title), el('p', lat.toFixed(5) + '°N, ' + lon.toFixed(5) + '°E', 'coords')];
  }

  function renderHere(body) {
    const nodes = hereHeader(body.lon, body.lat);
    nodes.push(el('h3', t.here_units));
    const units = body.units || [];
    if (!units.length) {
      nodes.push(el('p', t.here_outside, 'muted'));
    } else {
      const path = el('ol', null, 'here-units');
      units.forEach(unit => {
        const li = el('li');
        li.append(link('/divisions#' + encodeURIComponent(unit.code), unit.name), el('span', t.levels[unit.level] || unit.level, 'muted'));
        path.append(li);
      });
      nodes.push(path);
    }
    nodes.push(el('h3', t.here_nearest));
    const nearest = body.nearest || [];
    if (!nearest.length) {
      nodes.push(el('p', t.here_none, 'muted'));
    } else {
      const list = el('ul', null, 'here-nearest');
      nearest.forEach(place => {
        const li = el('li');
        li.append(link(recordUrl(place.code), place.name, 'here-name'));
        if (place.romanization) li.append(el('span', place.romanization, 'here-roman'));
        if (t.standing_badges[place.standing]) li.append(el('span', t.standing_badges[place.standing], 'badge warn'));
        const meta = [categoryLabel(place.category), distanceLabel(place.distance_m)].filter(Boolean).join(' · ');
        if (meta) li.append(el('span', meta, 'muted'));
        list.append(li);
      });
      nodes.push(list);
    }
    herePanel.replaceChildren(...nodes);
    herePanel.hidden = false;
  }

  async function reverse(lon, lat) {
    hereSource.clear();
    hereSource.addFeature(new ol.Feature(new ol.geom.Point(city.fromLonLat([lon, lat]))));
    herePanel.replaceChildren(...hereHeader(lon, lat), el('p', t.here_loading, 'muted'));
    herePanel.hidden = false;
    // On a phone the panel lies below the map (site.css): bring its head into view, the map stays in sight.
    if (window.matchMedia('(max-width: 800px)').matches) herePanel.scrollIntoView({block: 'nearest'});
    if (reverseController) reverseController.abort();
    const controller = new AbortController();
    reverseController = controller;
    const params = new URLSearchParams({lon: lon.toFixed(6), lat: lat.toFixed(6)});
    try {
      const body = await getJSON('/api/v1/reverse?' + params, {signal: controller.signal});
      if (controller !== reverseController) return;
      lastReverse = body;
      renderHere(body);
    } catch (error) {
      if (isAbort(error)) return;
      herePanel.replaceChildren(...hereHeader(lon, lat), el('p', t.here_failed + t.colon + error.message, 'error'));
    }
  }

  function resultAt(pixel) {
    return map.forEachFeatureAtPixel(pixel, feature => feature, {layerFilter: layer => layer === resultLayer, hitTolerance: 4});
  }

  map.on('pointermove', event => {
    if (event.dragging) return;
    const feature = resultAt(event.pixel);
    highlight(feature ? feature.getId() : null);
    map.getTargetElement().style.cursor = feature ? 'pointer' : '';
  });
  map.on('singleclick', event => {
    const feature = resultAt(event.pixel);
    if (feature) { select(feature.getId(), {pan: false}); return; }
    const [lon, lat] = city.toLonLat(event.coordinate);
    reverse(lon, lat);
  });

  // ---- filters and the search in the address ------------------------------------------------------

  function fillCounties(collection) {
    collection.features
      .map(f => f.properties)
      .sort((a, b) => a.code.localeCompare(b.code))
      .forEach(unit => { const option = el('option', unit.name); option.value = unit.code; unitSelect.append(option); });
  }

  async function fillCategories() {
    const rows = await getJSON('/api/v1/categories');
    rows.filter(c => !c.parent).forEach(c => {
      const option = el('option', categoryLabel(c));
      option.value = c.code;
      categorySelect.append(option);
    });
  }

  const initial = new URLSearchParams(location.search);
  if (initial.get('q')) input.value = initial.get('q');
  atInput.value = initial.get('at') || '';
  Promise.allSettled([city.ready.then(fillCounties), fillCategories()]).then(() => {
    unitSelect.value = initial.get('unit') || '';
    categorySelect.value = initial.get('category') || '';
    if (input.value.trim()) runSearch();
  });

  // Hooks for tests and the curious: the result points on the map, and where things are drawn.
  window.portal = {
    map: map,
    resultFeatures: () => resultSource.getFeatures(),
    countyCount: () => city.countySource.getFeatures().length,
    tileStats: () => city.tileStats(),
    backgroundAt: pixel => city.backgroundAt(pixel),
    highlightedCode: () => hoveredCode,
    selectedCode: () => selectedCode,
    lastReverse: () => lastReverse,
    idle: () => !map.getView().getAnimating(),
    pixelOfLonLat: (lon, lat) => map.getPixelFromCoordinate(city.fromLonLat([lon, lat])),
    pixelOfResult: code => {
      const feature = resultSource.getFeatureById(code);
      return feature ? map.getPixelFromCoordinate(feature.getGeometry().getCoordinates()) : null;
    }
  };
})();
