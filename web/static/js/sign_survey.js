// The sign survey on a phone. A survey is first written to this phone's storage (localStorage), with an
// id made here, and then sent; it stays in the queue until the server has it (201, or 200 when it had
// come before), so a connection lost mid-form or mid-send loses nothing and a survey sent twice is one
// record. A refusal (400, 403, 404, 409) stays in the queue, marked, until the officer discards it.
// The list of the officer's signs is fetched when online and kept here for offline use.
(function () {
  'use strict';
  var root = document.getElementById('survey');
  if (!root) return;
  var who = root.dataset.user || '';
  var QUEUE = 'sign-survey-queue:' + who;
  var SENT = 'sign-survey-sent:' + who;
  var SIGNS = 'sign-survey-signs:' + who;
  var DRAFT = 'sign-survey-draft:' + who;
  var MAX_SENT_SHOWN = 30;
  var form = document.getElementById('survey-form');
  var message = document.getElementById('survey-message');
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

  function read(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key) || 'null'); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function load() { return read(QUEUE, []); }
  function store(queue) { write(QUEUE, queue); }

  // A moment as the phone's clock shows it: "2026-12-04 05:30" (withDay) or "05:30".
  function localTime(iso, withDay) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    function two(n) { return (n < 10 ? '0' : '') + n; }
    var time = two(d.getHours()) + ':' + two(d.getMinutes());
    return withDay ? d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + time : time;
  }

  // ---- the officer's signs, kept for offline use ----------------------------------------------------

  function catalogue() { return read(SIGNS, {signs: [], fetched_at: null}); }

  function signLabel(sign) {
    return sign.number + ' · ' + sign.text + (sign.number_text || '') + (sign.synthetic ? '（示例）' : '');
  }

  function renderCatalogue() {
    var kept = catalogue();
    var options = document.getElementById('sign-options');
    options.textContent = '';
    kept.signs.forEach(function (sign) {
      var option = document.createElement('option');
      option.value = sign.number;
      option.label = sign.text + (sign.number_text || '') + (sign.synthetic ? '（示例）' : '') + ' · ' + conditionLabel(sign.condition);
      options.appendChild(option);
    });
    document.getElementById('sign-total').textContent = String(kept.signs.length);
    document.getElementById('sign-fetched').textContent = kept.fetched_at
      ? '（' + localTime(kept.fetched_at, true) + ' 更新，离线可用）' : '';
    showChosen();
  }

  function fetchSigns() {
    if (!navigator.onLine) return Promise.resolve();
    var counties = (root.dataset.counties || '').split(',').filter(Boolean);
    var queries = counties.length ? counties.map(function (c) { return '&county=' + encodeURIComponent(c); })
      : (root.dataset.all ? [''] : []);
    if (!queries.length) return Promise.resolve();
    return Promise.all(queries.map(function (q) {
      return fetch('/api/v1/signs?limit=500' + q, {credentials: 'same-origin', headers: {Accept: 'application/json'}})
        .then(function (response) { if (!response.ok) throw new Error('HTTP ' + response.status); return response.json(); });
    })).then(function (pages) {
      var signs = [];
      pages.forEach(function (page) {
        page.signs.forEach(function (s) {
          signs.push({number: s.number, text: s.text, number_text: s.number_text, kind: s.kind,
            condition: s.condition, last_inspected_on: s.last_inspected_on, synthetic: s.synthetic});
        });
      });
      write(SIGNS, {signs: signs, fetched_at: new Date().toISOString()});
      renderCatalogue();
    }).catch(function () { /* the list kept before serves until the next try */ });
  }

  function findSign(number) {
    var wanted = String(number || '').trim().toUpperCase();
    var signs = catalogue().signs;
    for (var i = 0; i < signs.length; i++) { if (signs[i].number.toUpperCase() === wanted) return signs[i]; }
    return null;
  }

  function showChosen() {
    var chosen = document.getElementById('s-chosen');
    var value = document.getElementById('s-sign').value.trim();
    var sign = findSign(value);
    chosen.classList.toggle('unknown', !!value && !sign);
    if (!value) { chosen.textContent = ''; return; }
    chosen.textContent = sign ? signLabel(sign) + ' · 上次：' + conditionLabel(sign.condition)
      + (sign.last_inspected_on ? '（' + sign.last_inspected_on + '）' : '')
      : '不在本机清单中：联网后由服务器核对编号。';
  }

  function conditionLabel(value) {
    var radio = form.querySelector('input[name=condition][value="' + value + '"]');
    return radio ? radio.parentNode.textContent.trim() : (value || '');
  }

  // ---- photos wait in IndexedDB (blobs), keyed by their survey's client id ----------------------------

  var PHOTO_DB = 'sign-survey-photos';
  function photoDb() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open(PHOTO_DB, 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore('photos', {keyPath: 'key'}).createIndex('user', 'user');
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
  function keepPhotos(clientId, sign, files) {
    return photoTx('readwrite', function (photos) {
      Array.prototype.forEach.call(files, function (file, i) {
        photos.put({key: clientId + ':' + i, client_id: clientId, sign: sign, user: who, blob: file,
          name: file.name || ('photo-' + i + '.jpg')});
      });
    });
  }
  function waitingPhotos() {
    return photoTx('readonly', function (photos) { return photos.index('user').getAll(who); });
  }
  function forgetPhoto(key) {
    return photoTx('readwrite', function (photos) { photos.delete(key); });
  }

  function csrf() { return form.querySelector('input[name=csrfmiddlewaretoken]').value; }

  // ---- what is queued and what was sent -----------------------------------------------------------------

  function describe(item) {
    return item.sign + ' · ' + conditionLabel(item.body.condition) + ' · ' + item.body.surveyed_on;
  }

  function render() {
    var queue = load();
    document.getElementById('queue-count').textContent = String(queue.filter(function (i) { return !i.refused; }).length);
    var list = document.getElementById('queue-list');
    list.textContent = '';
    queue.forEach(function (item) {
      var li = document.createElement('li');
      li.dataset.clientId = item.body.client_id;
      li.textContent = describe(item) + ' · ' + (item.refused ? '未被接受：' + item.refused : '待发送');
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
    var sent = read(SENT, []);
    document.getElementById('sent-count').textContent = String(sent.length);
    var sentList = document.getElementById('sent-list');
    sentList.textContent = '';
    sent.slice(-MAX_SENT_SHOWN).reverse().forEach(function (entry) {
      var li = document.createElement('li');
      li.dataset.clientId = entry.client_id;
      li.textContent = entry.sign + ' · ' + conditionLabel(entry.condition) + ' · ' + entry.surveyed_on
        + (entry.synthetic ? '（示例）' : '') + ' · 已发送 ' + localTime(entry.sent_at, false);
      sentList.appendChild(li);
    });
    waitingPhotos().then(function (photos) {
      document.getElementById('photo-count').textContent = String((photos || []).length);
    }).catch(function () { /* no IndexedDB (a private window): photos are not kept */ });
    var net = document.getElementById('net-state');
    net.dataset.online = String(navigator.onLine);
    net.textContent = navigator.onLine ? '在线' : '离线';
  }

  function remember(answer) {
    var sent = read(SENT, []);
    if (sent.some(function (e) { return e.client_id === answer.client_id; })) return;
    sent.push({client_id: answer.client_id, sign: answer.sign, condition: answer.condition,
      surveyed_on: answer.surveyed_on, synthetic: answer.synthetic, sent_at: new Date().toISOString()});
    write(SENT, sent.slice(-200));
    var kept = catalogue();
    kept.signs.forEach(function (s) {
      if (s.number === answer.sign && (!s.last_inspected_on || answer.surveyed_on >= s.last_inspected_on)) {
        s.condition = answer.condition;
        s.last_inspected_on = answer.surveyed_on;
      }
    });
    write(SIGNS, kept);
  }

  function surveysUrl(sign) { return '/api/v1/signs/' + encodeURIComponent(sign) + '/surveys'; }

  function sendOne(item) {
    return fetch(surveysUrl(item.sign), {
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

  // Send what waits, oldest first; a failure of the network or the server stops the round (the rest
  // waits for the next try); a refusal is marked and the round goes on.
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
        var why = (result.answer.error && result.answer.error.message) || ('HTTP ' + result.status);
        if (result.status === 200 || result.status === 201) {
          store(queue.filter(function (i) { return i.body.client_id !== item.body.client_id; }));
          remember(result.answer);
          sent += 1;
          return next(index + 1);
        }
        if (result.status === 401 || (result.status === 403 && /csrf/i.test(why))) {
          say('登录已失效：请重新登录后再发送（记录仍保存在本机）。', true);
          return Promise.resolve();
        }
        if ([400, 403, 404, 409].indexOf(result.status) >= 0) {
          queue.forEach(function (i) { if (i.body.client_id === item.body.client_id) i.refused = why; });
          store(queue);
          return next(index + 1);
        }
        say('服务器暂时无法接收（HTTP ' + result.status + '），稍后自动重试。', true);
        return Promise.resolve();
      });
    }
    function sendPhotos() {
      var queuedIds = load().map(function (i) { return i.body.client_id; });
      return waitingPhotos().then(function (photos) {
        var ready = (photos || []).filter(function (p) { return queuedIds.indexOf(p.client_id) < 0; });
        function one(index) {
          if (index >= ready.length) return Promise.resolve();
          var photo = ready[index];
          var body = new FormData();
          body.append('file', photo.blob, photo.name);
          return fetch(surveysUrl(photo.sign) + '/' + photo.client_id + '/photos', {
            method: 'POST', credentials: 'same-origin', headers: {'X-CSRFToken': csrf(), Accept: 'application/json'},
            body: body
          }).then(function (response) {
            if (response.status === 200 || response.status === 201) {
              return forgetPhoto(photo.key).then(function () { return one(index + 1); });
            }
            if ([400, 403, 404, 409, 413, 415].indexOf(response.status) >= 0) {
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

  function number(value) {
    var text = String(value || '').trim();
    return text === '' ? null : Number(text);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var sign = String(data.get('sign') || '').trim().toUpperCase();
    if (!sign) { say('请填写标志编号。', true); return; }
    if (!data.get('condition')) { say('请选择现场状况。', true); return; }
    var lon = number(data.get('lon')), lat = number(data.get('lat'));
    if ((lon === null) !== (lat === null) || (lon !== null && (!isFinite(lon) || !isFinite(lat)))) {
      say('位置需同时填写经度和纬度（十进制度）。', true);
      return;
    }
    var body = {
      client_id: uuid4(),
      condition: data.get('condition'),
      surveyed_on: data.get('surveyed_on'),
      notes: String(data.get('notes') || '')
    };
    if (lon !== null) body.position = {type: 'Point', coordinates: [lon, lat]};
    var files = document.getElementById('s-photos').files;
    var kept = files.length ? keepPhotos(body.client_id, sign, files) : Promise.resolve();
    kept.catch(function () { say('照片未能保存在本机：请联网后补拍上传。', true); }).then(function () {
      var queue = load();
      queue.push({sign: sign, body: body, saved_at: new Date().toISOString()});
      store(queue);
      localStorage.removeItem(DRAFT);
      ['s-sign', 's-notes', 's-lon', 's-lat', 's-photos'].forEach(function (id) { document.getElementById(id).value = ''; });
      Array.prototype.forEach.call(form.querySelectorAll('input[name=condition]'), function (r) { r.checked = false; });
      showChosen();
      render();
      say('已保存在本机。', false);
      return flush();
    });
  });

  // A half-filled form survives a reload or a closed tab.
  var draftFields = ['s-sign', 's-notes', 's-lon', 's-lat', 's-day'];
  form.addEventListener('input', function () {
    var draft = {};
    draftFields.forEach(function (id) { draft[id] = document.getElementById(id).value; });
    var checked = form.querySelector('input[name=condition]:checked');
    draft.condition = checked ? checked.value : '';
    write(DRAFT, draft);
    showChosen();
  });
  var draft = read(DRAFT, null);
  if (draft) {
    draftFields.forEach(function (id) { if (draft[id]) document.getElementById(id).value = draft[id]; });
    var radio = draft.condition && form.querySelector('input[name=condition][value="' + draft.condition + '"]');
    if (radio) radio.checked = true;
  }

  document.getElementById('s-locate').addEventListener('click', function () {
    if (!navigator.geolocation) { say('本机无法定位：请手工填写。', true); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById('s-lon').value = position.coords.longitude.toFixed(7);
      document.getElementById('s-lat').value = position.coords.latitude.toFixed(7);
      say('已读取位置（精度约 ' + Math.round(position.coords.accuracy) + ' 米）。', false);
    }, function () { say('定位失败：请手工填写。', true); }, {enableHighAccuracy: true, timeout: 20000});
  });

  document.getElementById('send-now').addEventListener('click', function () { fetchSigns(); flush(); });
  window.addEventListener('online', function () { render(); fetchSigns(); flush(); });
  window.addEventListener('offline', render);
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  renderCatalogue();
  render();
  fetchSigns();
  flush();
})();
