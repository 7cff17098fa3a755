// The upload page of 'malaria serve': sends files to /api/predict, polls jobs, shows patients, cells and heat maps.
// Everything the server returns is inserted as text (never as HTML).
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let apiKey = sessionStorage.getItem('malaria-api-key') || '';
  let current = null;
  let threshold = 0.5;

  function headers() { return apiKey ? { 'X-Api-Key': apiKey } : {}; }

  async function api(path) {
    const response = await fetch(path, { headers: headers(), credentials: 'same-origin' });
    if (response.status === 401) { askKey(); }
    return response;
  }

  function askKey() { $('key-box').hidden = false; $('api-key').focus(); }

  function fmt(p, digits) { return Number(p).toFixed(digits); }
  function pct(p) { return (100 * p).toFixed(1) + '%'; }

  async function loadModel() {
    const response = await api('/api/model');
    if (!response.ok) { $('model').textContent = 'model: ' + (await errorText(response)); return; }
    const m = await response.json();
    threshold = m.threshold;
    const test = m.metrics && (m.metrics.test || Object.values(m.metrics)[0]);
    let text = m.name + ' · ' + m.kind + ' · threshold ' + fmt(m.threshold, 2);
    if (test) { text += ' · test accuracy ' + fmt(test.accuracy, 3) + ', recall ' + fmt(test.recall, 3) + ', AUC ' + fmt(test.auc, 3) + ' (' + test.count + ' cells)'; }
    if (!m.heatmaps) { text += ' · no heat maps: ' + m.heatmapNote; }
    $('model').textContent = text;
  }

  async function errorText(response) {
    try { const body = await response.json(); return body.error || response.statusText; } catch { return response.status + ' ' + response.statusText; }
  }

  function showErrors(errors) {
    const list = $('errors');
    list.replaceChildren();
    for (const e of errors) {
      const li = document.createElement('li');
      li.textContent = e.file ? e.file + ': ' + e.reason : e;
      list.appendChild(li);
    }
    $('errors-box').hidden = errors.length === 0;
  }

  function progress(done, total, text) {
    $('progress-box').hidden = false;
    $('progress').max = total || 1;
    $('progress').value = done;
    $('progress-text').textContent = text;
  }

  function upload(files) {
    if (!files.length) { return; }
    const form = new FormData();
    for (const f of files) { form.append('files', f, f.name); }
    showErrors([]);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/predict');
    for (const [k, v] of Object.entries(headers())) { xhr.setRequestHeader(k, v); }
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) { progress(e.loaded, e.total, 'uploading ' + pct(e.loaded / e.total)); } };
    xhr.onload = async () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status === 401) { askKey(); }
      if (xhr.status === 200) { finish(body); }
      else if (xhr.status === 202) { poll(body.id); }
      else {
        const retry = xhr.getResponseHeader('Retry-After');
        $('progress-box').hidden = true;
        showErrors([(body && body.error ? body.error : 'error ' + xhr.status) + (retry ? ' (retry in ' + retry + ' s)' : '')]);
      }
    };
    xhr.onerror = () => { $('progress-box').hidden = true; showErrors(['the server could not be reached']); };
    progress(0, 1, 'uploading');
    xhr.send(form);
  }

  async function poll(id) {
    for (;;) {
      const response = await api('/api/jobs/' + encodeURIComponent(id));
      if (!response.ok) { showErrors([await errorText(response)]); return; }
      const job = await response.json();
      if (job.status === 'done') { finish(job); return; }
      if (job.status === 'failed') { $('progress-box').hidden = true; showErrors([job.error]); return; }
      progress(job.done, job.total, 'scoring ' + job.done + ' / ' + job.total + ' cells');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  function finish(job) {
    const result = job.result;
    current = result;
    $('results').dataset.job = result.job;
    progress(1, 1, result.cells.length + ' cells scored');
    showErrors(result.errors);
    const patients = $('patients').tBodies[0];
    patients.replaceChildren();
    for (const p of result.patients) {
      patients.appendChild(row([p.patient, String(p.cells), String(p.parasitized), pct(p.parasitemia), pct(p.ciLow) + ' – ' + pct(p.ciHigh)], [1, 2, 3]));
    }
    const fields = $('fields');
    fields.replaceChildren();
    for (const f of result.fields || []) {
      const figure = document.createElement('figure');
      figure.className = 'field';
      const img = document.createElement('img');
      img.alt = 'overlay of ' + f.file;
      if (f.overlay) { setImage(img, f.overlay); }
      const caption = document.createElement('figcaption');
      caption.textContent = f.file + ' · ' + f.patient + ' · ' + f.cells + ' cells, ' + f.parasitized + ' parasitized (' + pct(f.parasitemia) + ', 95% ' + pct(f.ciLow) + ' – ' + pct(f.ciHigh) + ') · ' + (f.objects - f.cells) + ' objects not counted';
      figure.append(img, caption);
      fields.appendChild(figure);
    }
    $('csv-fields').hidden = !(result.fields && result.fields.length);
    $('fields-box').hidden = fields.childElementCount === 0;
    const cells = [...result.cells].sort((a, b) => b.probability - a.probability || a.file.localeCompare(b.file));
    const table = $('cells').tBodies[0];
    const grid = $('grid');
    table.replaceChildren();
    grid.replaceChildren();
    for (const c of cells) {
      const tr = row([c.file, c.patient, c.label, fmt(c.probability, 4)], [3]);
      tr.dataset.id = c.id;
      if (c.positive) { tr.classList.add('positive'); }
      tr.addEventListener('click', () => select(c));
      table.appendChild(tr);
      const tile = document.createElement('button');
      tile.type = 'button';
      tile.className = 'cell' + (c.positive ? ' positive' : '');
      tile.dataset.id = c.id;
      tile.title = c.file + ': ' + c.label + ' ' + fmt(c.probability, 4);
      const img = document.createElement('img');
      img.alt = c.file;
      img.loading = 'lazy';
      setImage(img, '/api/cells/' + c.id + '/image');
      const label = document.createElement('span');
      label.className = 'p';
      label.textContent = fmt(c.probability, 3);
      tile.append(img, label);
      tile.addEventListener('click', () => select(c));
      grid.appendChild(tile);
    }
    $('results').hidden = false;
    $('detail').hidden = true;
  }

  function row(values, numeric) {
    const tr = document.createElement('tr');
    values.forEach((v, i) => {
      const td = document.createElement('td');
      td.textContent = v;
      if (numeric.includes(i)) { td.className = 'num'; }
      tr.appendChild(td);
    });
    return tr;
  }

  // Images go through fetch so that the API key header travels with them.
  async function setImage(img, url) {
    const response = await api(url);
    if (!response.ok) { img.alt = await errorText(response); img.dataset.error = img.alt; return false; }
    img.src = URL.createObjectURL(await response.blob());
    return true;
  }

  async function select(c) {
    for (const el of document.querySelectorAll('.cell.selected')) { el.classList.remove('selected'); }
    const tile = document.querySelector('.cell[data-id="' + c.id + '"]');
    if (tile) { tile.classList.add('selected'); }
    $('detail').hidden = false;
    $('detail-title').textContent = c.file + ' · ' + c.patient + ' · ' + c.label + ' ' + fmt(c.probability, 4);
    const heat = $('heatmap');
    heat.removeAttribute('src');
    heat.classList.remove('loaded');
    setImage($('cell-image'), '/api/cells/' + c.id + '/image');
    if (c.heatmap) {
      $('heatmap-caption').textContent = 'Grad-CAM: where the network looked (' + c.label + ')';
      if (await setImage(heat, c.heatmap)) { heat.classList.add('loaded'); }
    } else {
      $('heatmap-caption').textContent = 'no heat map for this model';
    }
    $('detail').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  async function download(kind) {
    if (!current) { return; }
    const response = await api('/api/jobs/' + current.job + '/' + kind + '.csv');
    if (!response.ok) { showErrors([await errorText(response)]); return; }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await response.blob());
    a.download = kind + '.csv';
    a.click();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const drop = $('drop');
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); upload([...e.dataTransfer.files]); });
    $('files').addEventListener('change', (e) => { upload([...e.target.files]); e.target.value = ''; });
    $('key-save').addEventListener('click', () => { apiKey = $('api-key').value; sessionStorage.setItem('malaria-api-key', apiKey); $('key-box').hidden = true; loadModel(); });
    $('csv-cells').addEventListener('click', () => download('predictions'));
    $('csv-patients').addEventListener('click', () => download('patients'));
    $('csv-fields').addEventListener('click', () => download('field-cells'));
    loadModel();
  });
})();
