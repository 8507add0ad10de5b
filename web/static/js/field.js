// The joint inspection's field form. A check is first written to this phone's storage (localStorage),
// with an id made here, and then sent; it stays in the queue until the server has it (201, or 200 when
// it had come before), so a connection lost mid-form or mid-send loses nothing and a check sent twice
// is one record. A refusal (400) stays in the queue, marked, until the officer discards it.
(function () {
  'use strict';
  var root = document.getElementById('field');
  if (!root) return;
  var api = root.dataset.api;
  var QUEUE = 'field-queue:' + root.dataset.number;
  var DRAFT = 'field-draft:' + root.dataset.number;
  var markerForm = document.getElementById('marker-form');
  var stretchForm = document.getElementById('stretch-form');
  var message = document.getElementById('field-message');
  var sending = false;

  function say(text, isError) {
    message.textContent = text;
    message.classList.toggle('error', !!isError);
  }

  // An id made on the phone: crypto.getRandomValues works on a plain-http intranet too
  // (crypto.randomUUID needs a secure context).
  function uuid4() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || '[]'); } catch (e) { return []; }
  }
  function store(queue) { localStorage.setItem(QUEUE, JSON.stringify(queue)); }

  // Photos wait in IndexedDB (blobs; localStorage holds text only), keyed by their check's client id.
  var PHOTO_DB = 'field-photos';
  function photoDb() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(PHOTO_DB, 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore('photos', {keyPath: 'key'}).createIndex('campaign', 'campaign');
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function photoTx(mode, work) {
    return photoDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction('photos', mode);
        var result = work(tx.objectStore('photos'));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function keepPhotos(clientId, files) {
    return photoTx('readwrite', function (photos) {
      Array.prototype.forEach.call(files, function (file, i) {
        photos.put({key: clientId + ':' + i, client_id: clientId, campaign: root.dataset.number, blob: file,
          name: file.name || ('photo-' + i + '.jpg')});
      });
    });
  }
  function waitingPhotos() {
    return photoTx('readonly', function (photos) { return photos.index('campaign').getAll(root.dataset.number); });
  }
  function forgetPhoto(key) {
    return photoTx('readwrite', function (photos) { photos.delete(key); });
  }

  function csrf() { return markerForm.querySelector('input[name=csrfmiddlewaretoken]').value; }

  function render() {
    var queue = load();
    document.getElementById('queue-count').textContent = String(queue.filter(function (i) { return !i.refused; }).length);
    var list = document.getElementById('queue-list');
    list.textContent = '';
    queue.forEach(function (item) {
      var li = document.createElement('li');
      li.dataset.clientId = item.body.client_id;
      var what = item.kind === 'marker' ? item.body.marker + ' · ' + foundLabel(item.body.found)
        : item.body.from_m + '–' + item.body.to_m + ' m · ' + item.body.condition;
      li.textContent = what + ' · ' + (item.refused ? '未被接受：' + item.refused : '待发送');
      if (item.refused) {
        li.classList.add('refused');
        var drop = document.createElement('button');
        drop.type = 'button';
        drop.textContent = '放弃';
        drop.addEventListener('click', function () {
          store(load().filter(function (i) { return i.body.client_id !== item.body.client_id; }));
          render();
        });
        li.appendChild(drop);
      }
      list.appendChild(li);
    });
    waitingPhotos().then(function (photos) {
      document.getElementById('photo-count').textContent = String((photos || []).length);
    });
    var net = document.getElementById('net-state');
    net.dataset.online = String(navigator.onLine);
    net.textContent = navigator.onLine ? '在线' : '离线';
  }

  function foundLabel(value) {
    var radio = markerForm.querySelector('input[name=found][value="' + value + '"]');
    return radio ? radio.parentNode.textContent.trim() : value;
  }

  function received(item, answer) {
    var li = document.createElement('li');
    li.dataset.clientId = answer.client_id;
    li.textContent = item.kind === 'marker' ? answer.marker + ' · ' + foundLabel(answer.found) + ' · ' + answer.checked_on
      : answer.from_m + '–' + answer.to_m + ' m · ' + answer.condition;
    document.getElementById('received').appendChild(li);
  }

  function sendOne(item) {
    var path = item.kind === 'marker' ? '/marker-checks' : '/stretch-checks';
    return fetch(api + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf(), Accept: 'application/json'},
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return {status: response.status, answer: answer};
      });
    });
  }

  // Send what waits, oldest first; stop at the first failure of the network or the server (the rest
  // waits for the next try).
  function flush() {
    if (sending) return Promise.resolve();
    if (!navigator.onLine) { render(); return Promise.resolve(); }  // kept here until the 'online' event
    var waiting = load().filter(function (i) { return !i.refused; });
    sending = true;
    var sent = 0;
    function next(index) {
      if (index >= waiting.length) return Promise.resolve();
      var item = waiting[index];
      return sendOne(item).then(function (result) {
        var queue = load();
        if (result.status === 200 || result.status === 201) {
          store(queue.filter(function (i) { return i.body.client_id !== item.body.client_id; }));
          if (result.status === 201) received(item, result.answer);
          sent += 1;
          return next(index + 1);
        }
        if (result.status === 400 || result.status === 404) {
          var why = (result.answer.error && result.answer.error.message) || ('HTTP ' + result.status);
          queue.forEach(function (i) { if (i.body.client_id === item.body.client_id) i.refused = why; });
          store(queue);
          return next(index + 1);
        }
        if (result.status === 401 || result.status === 403) {
          say('登录已失效：请重新登录后再发送（记录仍保存在本机）。', true);
        } else {
          say('服务器暂时无法接收（HTTP ' + result.status + '），稍后自动重试。', true);
        }
        return Promise.resolve();
      });
    }
    function sendPhotos() {
      var sentIds = load().map(function (i) { return i.body.client_id; });
      return waitingPhotos().then(function (photos) {
        var ready = (photos || []).filter(function (p) { return sentIds.indexOf(p.client_id) < 0; });
        function one(index) {
          if (index >= ready.length) return Promise.resolve();
          var photo = ready[index];
          var form = new FormData();
          form.append('file', photo.blob, photo.name);
          return fetch(api + '/marker-checks/' + photo.client_id + '/photos', {
            method: 'POST', credentials: 'same-origin', headers: {'X-CSRFToken': csrf(), Accept: 'application/json'},
            body: form
          }).then(function (response) {
            if (response.status === 200 || response.status === 201) {
              sent += 1;
              return forgetPhoto(photo.key).then(function () { return one(index + 1); });
            }
            if (response.status === 400 || response.status === 413) {
              return response.json().catch(function () { return {}; }).then(function (answer) {
                say('照片未被接受：' + ((answer.error && answer.error.message) || response.status), true);
                return forgetPhoto(photo.key).then(function () { return one(index + 1); });
              });
            }
            return Promise.resolve();  // the server cannot take it now: it waits for the next try
          });
        }
        return one(0);
      });
    }
    return next(0).then(sendPhotos).catch(function () {
      say('网络不通：记录已保存在本机，联网后自动发送。', true);
    }).then(function () {
      sending = false;
      if (sent) say('已发送 ' + sent + ' 条。', false);
      render();
    });
  }

  function enqueue(kind, body) {
    var queue = load();
    queue.push({kind: kind, body: body, saved_at: new Date().toISOString()});
    store(queue);
    render();
    say('已保存在本机。', false);
    return flush();
  }

  function number(value) {
    var text = String(value || '').trim();
    return text === '' ? null : Number(text);
  }

  markerForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var data = new FormData(markerForm);
    var lon = number(data.get('lon')), lat = number(data.get('lat'));
    if ((lon === null) !== (lat === null) || (lon !== null && (!isFinite(lon) || !isFinite(lat)))) {
      say('实测位置需同时填写经度和纬度（十进制度）。', true);
      return;
    }
    var body = {
      client_id: uuid4(),
      marker: data.get('marker'),
      found: data.get('found'),
      checked_on: data.get('checked_on'),
      inscription_repainted: data.get('inscription_repainted') === 'on',
      references_changed: data.get('references_changed') === 'on',
      notes: String(data.get('notes') || '')
    };
    if (lon !== null) body.measured = {type: 'Point', coordinates: [lon, lat]};
    var files = document.getElementById('f-photos').files;
    var kept = files.length ? keepPhotos(body.client_id, files) : Promise.resolve();
    kept.catch(function () { say('照片未能保存在本机：请联网后补拍上传。', true); }).then(function () {
      return enqueue('marker', body);
    }).then(function () {
      ['f-notes', 'f-lon', 'f-lat', 'f-photos'].forEach(function (id) { document.getElementById(id).value = ''; });
      localStorage.removeItem(DRAFT);
    });
  });

  stretchForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var data = new FormData(stretchForm);
    var from = number(data.get('from_m')), to = number(data.get('to_m'));
    if (from === null || to === null || !(to > from)) {
      say('分段的终点须大于起点（米）。', true);
      return;
    }
    enqueue('stretch', {
      client_id: uuid4(),
      from_m: Math.round(from),
      to_m: Math.round(to),
      condition: data.get('condition'),
      checked_on: data.get('checked_on'),
      notes: String(data.get('notes') || '')
    });
  });

  // A half-filled marker form survives a reload or a closed tab.
  var draftFields = ['f-marker', 'f-notes', 'f-lon', 'f-lat', 'f-day'];
  markerForm.addEventListener('input', function () {
    var draft = {};
    draftFields.forEach(function (id) { draft[id] = document.getElementById(id).value; });
    localStorage.setItem(DRAFT, JSON.stringify(draft));
  });
  try {
    var draft = JSON.parse(localStorage.getItem(DRAFT) || 'null');
    if (draft) draftFields.forEach(function (id) { if (draft[id]) document.getElementById(id).value = draft[id]; });
  } catch (e) { localStorage.removeItem(DRAFT); }

  document.getElementById('f-locate').addEventListener('click', function () {
    if (!navigator.geolocation) { say('本机无法定位：请手工填写。', true); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById('f-lon').value = position.coords.longitude.toFixed(7);
      document.getElementById('f-lat').value = position.coords.latitude.toFixed(7);
      say('已读取位置（精度约 ' + Math.round(position.coords.accuracy) + ' 米）。', false);
    }, function () { say('定位失败：请手工填写。', true); }, {enableHighAccuracy: true, timeout: 20000});
  });

  document.getElementById('send-now').addEventListener('click', flush);
  window.addEventListener('online', function () { render(); flush(); });
  window.addEventListener('offline', render);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  render();
  flush();
})();
