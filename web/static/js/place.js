/* The map of one place record: the counties of the territory and the place's own geometry, which the
   page embeds (#place-geometry, the API's geometry, simplified for display). The text of the page
   needs no script; this only draws the map. */
/* global ol, cityMap */
'use strict';

(function () {
  const element = document.getElementById('place-map');
  const geometry = JSON.parse(document.getElementById('place-geometry').textContent);
  const name = document.querySelector('.record-name').textContent;
  const POINT_ZOOM = 9;
  element.classList.add('live');  // the map box is shown only when there is a script to draw it

  const placeStyle = feature => {
    const point = feature.getGeometry().getType() === 'Point';
    return new ol.style.Style({
      stroke: new ol.style.Stroke({color: '#d9480f', width: 2.5}),
      fill: new ol.style.Fill({color: 'rgba(217, 72, 15, 0.12)'}),
      image: point ? new ol.style.Circle({
        radius: 8, declutterMode: 'obstacle', fill: new ol.style.Fill({color: '#e8590c'}), stroke: new ol.style.Stroke({color: '#fff', width: 2})
      }) : undefined,
      text: new ol.style.Text({
        text: name, font: 'bold 14px "Noto Sans CJK SC", sans-serif', offsetY: point ? -20 : 0, overflow: true,
        fill: new ol.style.Fill({color: '#1d2430'}), stroke: new ol.style.Stroke({color: '#fff', width: 4})
      })
    });
  };

  const placeSource = new ol.source.Vector();
  const city = cityMap.create(element, {
    layers: [new ol.layer.Vector({source: placeSource, style: placeStyle, declutter: cityMap.LABELS})],
    fitCounties: false
  });
  placeSource.addFeature(city.format.readFeature({type: 'Feature', geometry: geometry, properties: {}}));
  const view = city.map.getView();
  if (geometry.type === 'Point') {
    view.setCenter(placeSource.getFeatures()[0].getGeometry().getCoordinates());
    view.setZoom(POINT_ZOOM);
  } else {
    view.fit(placeSource.getExtent(), {padding: [30, 30, 30, 30], maxZoom: 14});
  }

  window.placeMap = {map: city.map, features: () => placeSource.getFeatures(), ready: city.ready};
})();
