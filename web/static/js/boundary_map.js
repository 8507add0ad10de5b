/* The staff's boundary map (web/boundary_map.py): the city drawn from the staff's own vector tiles
   (/tiles/staff/{z}/{x}/{y}.mvt: every boundary marker, and the pending boundary proposals, which the
   style draws dashed) with the style of /tiles/style.json (read by cityMap.glStyleFunction), and a panel of
   what awaits a decision, read from the API: pending boundary proposals, pending marker events (when the
   server has that endpoint) and the joint inspections. Clicking a proposal, an event or an inspection
   zooms the map to it; clicking a marker on the map shows its number, status and line, with links to its
   registration form and its admin page. Names and numbers are data: they go into the page as text only. */
/* global ol, cityMap */
'use strict';

window.boundaryMap = (function () {
  const {el, link, getJSON, glStyleFunction, LABELS} = cityMap;
  const labels = JSON.parse(document.getElementById('bmap-labels').textContent);
  const element = document.getElementById('map');
  const data = element.dataset;
  const CITY_CENTRE = [129.9, 44.6];
  const FIT = {padding: [40, 40, 40, 40], maxZoom: 15, duration: 300};
  const SYNTHETIC = '示例';
  const EVENT_KINDS = {set: '埋设', move: '迁移', status: '状况', replace: '更换', edit: '修改', abolish: '废止'};
  const PARTIES = {county: '县级', bureau: '市民政局', outside: '外方'};
  const LEVEL_ORDER = ['national', 'province', 'prefecture', 'county', 'township'];
  const format = new ol.format.GeoJSON({dataProjection: data.apiCrs, featureProjection: data.mapCrs});
  const stats = {requested: 0, loaded: 0, failed: 0, zooms: 0};

  // ---- the map -----------------------------------------------------------------------------------------

  const tileLayer = new ol.layer.VectorTile({declutter: LABELS});
  const chosen = new ol.source.Vector();  // the stretch or marker picked in the panel, drawn with a halo
  const chosenLayer = new ol.layer.Vector({
    source: chosen,
    style: [
      new ol.style.Style({
        stroke: new ol.style.Stroke({color: 'rgba(255, 200, 0, 0.4)', width: 10}),
        image: new ol.style.Circle({radius: 12, stroke: new ol.style.Stroke({color: 'rgba(255, 200, 0, 0.8)', width: 3})})
      })
    ]
  });
  const popupElement = document.getElementById('bmap-popup');
  const popupBody = document.getElementById('bmap-popup-body');
  const popup = new ol.Overlay({
    element: popupElement, positioning: 'bottom-center', offset: [0, -12], autoPan: {animation: {duration: 200}}
  });
  const layers = [tileLayer, chosenLayer];
  if (data.basemap) {
    tileLayer.setOpacity(0.8);
    layers.unshift(new ol.layer.Tile({
      source: new ol.source.XYZ({url: data.basemap, attributions: data.basemapAttribution || undefined})
    }));
  }
  const map = new ol.Map({
    target: element,
    layers: layers,
    overlays: [popup],
    view: new ol.View({projection: data.mapCrs, center: ol.proj.fromLonLat(CITY_CENTRE, data.mapCrs), zoom: 7}),
    controls: ol.control.defaults.defaults().extend([new ol.control.ScaleLine()])
  });

  /* The staff's tiles, drawn with the public style (which has the proposals' and markers' layers too). */
  const ready = getJSON('/tiles/style.json').then(glStyle => {
    const source = Object.values(glStyle.sources)[0];
    const tiles = new ol.source.VectorTile({
      format: new ol.format.MVT(), url: data.tiles, projection: data.mapCrs,
      minZoom: source.minzoom, maxZoom: source.maxzoom, attributions: source.attribution
    });
    tiles.on('tileloadstart', () => { stats.requested += 1; });
    tiles.on('tileloadend', () => { stats.loaded += 1; });
    tiles.on('tileloaderror', () => { stats.failed += 1; });
    tileLayer.setSource(tiles);
    tileLayer.setStyle(glStyleFunction(glStyle));
    const background = glStyle.layers.find(layer => layer.type === 'background');
    if (background && background.paint) tileLayer.setBackground(background.paint['background-color']);
    drawLegend(glStyle);
    const bounds = glStyle.metadata && glStyle.metadata['mdj:bounds'];
    if (bounds) map.getView().fit(ol.proj.transformExtent(bounds, data.apiCrs, data.mapCrs), {padding: [20, 20, 20, 20]});
    return glStyle;
  });

  function fitTo(geometryOrExtent) {
    stats.zooms += 1;
    map.getView().fit(geometryOrExtent, {...FIT, size: map.getSize()});
  }

  // ---- the legend, from the style itself ---------------------------------------------------------------

  const SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, String(value)));
    return node;
  }

  /* A legend swatch: a line as the style's paint draws it (dashes in line widths), or a dot. */
  function swatch(paint, kind) {
    const icon = svg('svg', {width: 40, height: 14, viewBox: '0 0 40 14', 'aria-hidden': 'true'});
    if (kind === 'circle') {
      icon.append(svg('circle', {
        cx: 20, cy: 7, r: paint['circle-radius'] + 1, fill: paint['circle-color'],
        stroke: paint['circle-stroke-color'] || '#fff', 'stroke-width': paint['circle-stroke-width'] || 0
      }));
      return icon;
    }
    const width = paint['line-width'] || 1;
    const line = {x1: 2, y1: 7, x2: 38, y2: 7, stroke: paint['line-color'], 'stroke-width': width};
    if (paint['line-dasharray']) line['stroke-dasharray'] = paint['line-dasharray'].map(d => d * width).join(' ');
    if (paint['line-opacity'] !== undefined) line['stroke-opacity'] = paint['line-opacity'];
    icon.append(svg('line', line));
    return icon;
  }

  function legendItem(parts, text, className) {
    const item = el('li', null, className);
    const icon = el('span', null, 'bmap-swatch');
    parts.forEach(part => icon.append(part));
    item.append(icon, el('span', text));
    return item;
  }

  function drawLegend(glStyle) {
    const byId = Object.fromEntries(glStyle.layers.map(layer => [layer.id, layer]));
    const list = document.getElementById('legend-list');
    list.replaceChildren();
    LEVEL_ORDER.forEach(level => {
      const line = byId['boundaries-' + level];
      if (!line) return;
      const band = byId['boundaries-' + level + '-band'];
      const parts = band ? [swatch(band.paint, 'line'), swatch(line.paint, 'line')] : [swatch(line.paint, 'line')];
      list.append(legendItem(parts, labels.levels[level] || level, band ? 'stacked' : ''));
    });
    if (byId.proposals) list.append(legendItem([swatch(byId.proposals.paint, 'line')], '待定界线变更（虚线）', 'proposal'));
    if (byId.markers) {
      list.append(legendItem([swatch(byId.markers.paint, 'circle')], '界桩（编号自 ' +
        ((byId['markers-numbers'] || {}).minzoom || 14) + ' 级起注记）'));
      list.append(legendItem([swatch(byId.markers.paint, 'circle')], '示例界桩：编号后注“（示例）”'));
    }
  }

  // ---- the popup of a marker -----------------------------------------------------------------------------

  function closePopup() {
    popup.setPosition(undefined);
    popupElement.hidden = true;
  }

  function facts(rows) {
    const list = el('dl');
    rows.filter(([, value]) => value !== undefined && value !== null && value !== '').forEach(([term, value]) => {
      list.append(el('dt', term), el('dd', value));
    });
    return list;
  }

  function markerAdminUrl(number) {
    return '/admin/boundaries/boundarymarker/?q=' + encodeURIComponent(number);
  }

  /* The marker's number, status and line, with its form and admin page; read through the API. */
  async function showMarker(number, zoom) {
    let marker;
    try {
      marker = await getJSON('/api/v1/boundary-markers/' + encodeURIComponent(number));
    } catch (error) {
      popupBody.replaceChildren(el('p', '界桩 ' + number + '：' + error.message, 'bmap-error'));
      return null;
    }
    const p = marker.properties;
    const where = format.readGeometry(marker.geometry);
    const title = el('h3', p.number);
    if (p.synthetic) title.append(' ', el('span', SYNTHETIC, 'bmap-tag synthetic'));
    const links = el('p', null, 'bmap-links');
    links.append(link('/api/v1/boundary-markers/' + encodeURIComponent(p.number) + '/form.pdf', '登记表 PDF'), ' ',
      link(markerAdminUrl(p.number), '管理页'));
    popupBody.replaceChildren(title, facts([
      ['状况', p.status_zh || p.status],
      ['界线', p.line ? (p.line.name || '') + ' ' + p.line.code : ''],
      ['类型', p.kind_zh || p.kind],
      ['等级', labels.marker_grades[p.grade] || p.grade],
      ['设立', p.set_on]
    ]));
    if (p.synthetic) popupBody.append(el('p', p.synthetic_note || '示例界桩，并非真实界桩。', 'bmap-synthetic-note'));
    popupBody.append(links);
    popupElement.hidden = false;
    popupElement.dataset.marker = p.number;
    if (zoom) {
      chosen.clear();
      chosen.addFeature(new ol.Feature(where));
      stats.zooms += 1;
      map.getView().animate({center: where.getCoordinates(), zoom: Math.max(map.getView().getZoom(), 15), duration: 300});
    }
    popup.setPosition(where.getCoordinates());
    return p;
  }

  map.on('singleclick', event => {
    const hits = map.getFeaturesAtPixel(event.pixel, {layerFilter: layer => layer === tileLayer, hitTolerance: 6});
    const marker = hits.find(feature => feature.get('layer') === 'markers');
    if (marker) {
      showMarker(marker.get('code'), false);
      return;
    }
    const proposal = hits.find(feature => feature.get('layer') === 'proposals');
    if (proposal) {
      const item = document.querySelector('#proposal-list [data-number="' + CSS.escape(proposal.get('code')) + '"]');
      if (item) { choose(item); item.scrollIntoView({block: 'nearest'}); }
    }
    closePopup();
  });
  document.getElementById('bmap-popup-close').addEventListener('click', closePopup);

  // ---- zooming to a line or an edge ---------------------------------------------------------------------

  const edgesOfLine = {};

  function edges(line) {
    if (!edgesOfLine[line]) {
      edgesOfLine[line] = getJSON('/api/v1/topology/edges?line=' + encodeURIComponent(line))
        .then(collection => format.readFeatures(collection))
        .catch(error => { delete edgesOfLine[line]; throw error; });
    }
    return edgesOfLine[line];
  }

  /* Fit the map to a line's edges, or to the one edge ``edgeId`` of it; the stretch is drawn under a halo. */
  async function zoomToLine(line, edgeId) {
    const features = await edges(line);
    const picked = edgeId ? features.filter(feature => feature.get('id') === edgeId) : features;
    if (!picked.length) throw new Error('界线 ' + line + ' 没有这段边');
    chosen.clear();
    chosen.addFeatures(picked.map(feature => feature.clone()));
    const extent = ol.extent.createEmpty();
    picked.forEach(feature => ol.extent.extend(extent, feature.getGeometry().getExtent()));
    closePopup();
    fitTo(extent);
  }

  // ---- the panel ----------------------------------------------------------------------------------------

  const panel = document.getElementById('bmap-panel');
  const toggle = document.getElementById('bmap-toggle');
  toggle.addEventListener('click', () => setCollapsed(panel.dataset.collapsed !== 'true'));

  function setCollapsed(collapsed) {
    panel.dataset.collapsed = String(collapsed);
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.textContent = collapsed ? '待办列表' : '收起列表';
    map.updateSize();
  }

  function isPhone() {
    return getComputedStyle(toggle).display !== 'none';
  }

  if (isPhone()) document.getElementById('bmap-legend').open = false;

  function lineName(code) {
    return labels.lines[code] ? labels.lines[code] + '（' + code + '）' : code;
  }

  function day(iso) {
    return iso ? iso.slice(0, 10) : '';
  }

  function awaited(needs) {
    return (needs || []).map(need => {
      const who = need.unit || need.outside;
      return who ? labels.units[who] || (PARTIES[need.party] || need.party) + ' ' + who : PARTIES[need.party] || need.party;
    }).join('、');
  }

  /* A row of the panel: a button that zooms (``action``), and links beside it. */
  function row(list, number, lines, action, links) {
    const item = el('li');
    item.dataset.number = number;
    const button = el('button', null, 'bmap-item');
    button.type = 'button';
    lines.forEach((text, index) => { if (text) button.append(el(index ? 'span' : 'b', text)); });
    button.addEventListener('click', () => choose(item));
    item.action = action;
    item.append(button);
    if (links && links.length) {
      const bar = el('p', null, 'bmap-links');
      links.forEach(([href, text]) => bar.append(link(href, text), ' '));
      item.append(bar);
    }
    list.append(item);
    return item;
  }

  async function choose(item) {
    document.querySelectorAll('.bmap-list li.selected').forEach(other => other.classList.remove('selected'));
    item.classList.add('selected');
    if (isPhone()) setCollapsed(true);
    try {
      await item.action();
    } catch (error) {
      item.append(el('p', error.message, 'bmap-error'));
    }
  }

  function status(id, text, isError) {
    const node = document.getElementById(id);
    node.textContent = text;
    node.hidden = !text;
    node.classList.toggle('bmap-error', Boolean(isError));
  }

  function count(id, n) {
    document.getElementById(id).textContent = '(' + n + ')';
  }

  const proposals = getJSON('/api/v1/topology/proposals?status=pending').then(body => {
    const list = document.getElementById('proposal-list');
    const found = body.proposals || [];
    count('proposal-count', found.length);
    status('proposal-status', found.length ? '' : '没有待定的界线变更。');
    found.forEach(p => row(list, p.number, [
      p.number + ' · ' + lineName(p.line),
      p.reason,
      p.proposed_by + ' 于 ' + day(p.proposed_at) + ' 提出',
      p.awaiting && p.awaiting.length ? '待 ' + awaited(p.awaiting) + ' 同意' : ''
    ], () => zoomToLine(p.line, p.edge)));
    return found;
  }).catch(error => { status('proposal-status', '无法读取界线变更：' + error.message, true); return []; });

  /* The marker events' endpoint may be missing on a server of an older release: the section says so. */
  const events = getJSON('/api/v1/marker-events?status=pending').then(body => {
    const list = document.getElementById('event-list');
    const found = body.events || [];
    count('event-count', body.count !== undefined ? body.count : found.length);
    status('event-status', found.length ? '' : '没有待批的界桩事件。');
    found.forEach(event => row(list, event.number, [
      event.number + ' · ' + (EVENT_KINDS[event.kind] || event.kind) +
        (event.marker ? ' 界桩 ' + event.marker + (event.synthetic ? '（' + SYNTHETIC + '）' : '') : ''),
      lineName(event.line),
      event.reason,
      event.awaiting && event.awaiting.length ? '待 ' + awaited(event.awaiting) + ' 同意' : ''
    ], () => (event.marker ? showMarker(event.marker, true) : zoomToLine(event.line))));
    return found;
  }).catch(error => {
    const missing = error.status === 404 || error.status === 405;
    status('event-status', missing ? '本服务器尚无界桩事件接口。' : '无法读取界桩事件：' + error.message, !missing);
    return [];
  });

  const inspections = getJSON('/api/v1/inspections').then(body => {
    const list = document.getElementById('inspection-list');
    const found = (body.inspections || []).filter(campaign => campaign.status !== 'cancelled');
    count('inspection-count', found.length);
    status('inspection-status', found.length ? '' : '没有联检记录。');
    found.forEach(campaign => {
      const number = encodeURIComponent(campaign.number);
      row(list, campaign.number, [
        campaign.number + ' · ' + (campaign.line_name || lineName(campaign.line)),
        campaign.year + ' 年 · ' + (labels.inspection_status[campaign.status] || campaign.status)
      ], () => zoomToLine(campaign.line), [
        ['/field/inspections/' + number, '外业表单'],
        ['/api/v1/inspections/' + number + '/report.pdf', '报告 PDF']
      ]);
    });
    return found;
  }).catch(error => { status('inspection-status', '无法读取联检：' + error.message, true); return []; });

  return {
    map, ready, proposals, events, inspections, showMarker, zoomToLine,
    tileStats: () => Object.assign({}, stats)
  };
})();
