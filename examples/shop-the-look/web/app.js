// The shop-the-look page: pick, drop or click an image, send it to `POST /search` (Jina's JSON request, the image
// as a base64 `blob`), and show the matches the VectorIndexer returns. Plain browser JavaScript, no build step.

const BROWSE_PAGE = 60;
/** Photos larger than this (bytes or pixels on a side) are scaled down in the browser before they are sent. */
const MAX_SEND_BYTES = 1_500_000;
const MAX_SEND_SIDE = 1600;
const SEND_SIDE = 1024;

const $ = (id) => document.getElementById(id);
const els = {
  dropzone: $('dropzone'),
  input: $('file-input'),
  queryImage: $('query-image'),
  queryFile: $('query-file'),
  hint: $('drop-hint'),
  category: $('category'),
  limit: $('limit'),
  status: $('status'),
  error: $('error'),
  results: $('results'),
  catalogue: $('catalogue'),
  browseCount: $('browse-count'),
  more: $('more'),
};
const price = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

let products = [];
let shown = BROWSE_PAGE;
/** The last query: `{ blob, mimeType }`, searched again when the category or the limit changes. */
let lastQuery;
let searchSeq = 0;
let queryUrl;

async function loadCatalogue() {
  const res = await fetch('/catalogue/products.json');
  if (!res.ok) throw new Error(`the catalogue did not load (HTTP ${res.status})`);
  const body = await res.json();
  products = body.products;
  for (const c of body.categories) els.category.append(new Option(c, c));
  renderCatalogue();
}

function imageUrl(image) {
  return `/catalogue/${image.split('/').map(encodeURIComponent).join('/')}`;
}

/** A product card; `score` (1 − cosine distance) is shown for matches. */
function productCard(p, { score, rank } = {}) {
  const li = document.createElement('li');
  li.className = rank ? `product rank-${rank}` : 'product';
  li.dataset.id = p.id;
  li.tabIndex = 0;
  li.title = `${p.title}: find similar products`;
  const img = document.createElement('img');
  img.src = imageUrl(p.image);
  img.alt = p.title;
  img.loading = 'lazy';
  img.width = 256;
  img.height = 256;
  const info = document.createElement('div');
  info.className = 'info';
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = p.title;
  const meta = document.createElement('span');
  meta.className = 'meta';
  const cat = document.createElement('span');
  cat.className = 'category';
  cat.textContent = p.category;
  const cost = document.createElement('span');
  cost.className = 'price';
  cost.textContent = price.format(p.price);
  meta.append(cat, cost);
  info.append(title, meta);
  if (score !== undefined) {
    const s = document.createElement('span');
    s.className = 'score';
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = Math.max(0, score);
    const value = document.createElement('span');
    value.className = 'score-value';
    value.textContent = `score ${score.toFixed(3)}`;
    s.append(meter, value);
    info.append(s);
  }
  li.append(img, info);
  const pick = () => searchProduct(p).catch(unexpected);
  li.addEventListener('click', pick);
  li.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick();
    }
  });
  return li;
}

function renderCatalogue() {
  const category = els.category.value;
  const list = category ? products.filter((p) => p.category === category) : products;
  els.catalogue.replaceChildren(...list.slice(0, shown).map((p) => productCard(p)));
  els.browseCount.textContent = `(${list.length} products)`;
  els.more.hidden = list.length <= shown;
}

function showError(message, detail) {
  els.error.replaceChildren(document.createTextNode(message));
  if (detail) {
    const small = document.createElement('small');
    small.textContent = detail;
    els.error.append(small);
  }
  els.error.hidden = false;
}

function unexpected(err) {
  els.status.textContent = '';
  showError('Something went wrong in the page.', String(err?.stack ?? err));
}

function clearError() {
  els.error.hidden = true;
  els.error.replaceChildren();
}

function showQuery({ url, name }) {
  if (queryUrl) URL.revokeObjectURL(queryUrl);
  queryUrl = url?.startsWith('blob:') ? url : undefined;
  els.hint.hidden = true;
  els.queryImage.hidden = !url;
  els.queryFile.hidden = Boolean(url);
  if (url) {
    els.queryImage.src = url;
    els.queryImage.alt = name;
  } else {
    els.queryImage.removeAttribute('src');
    els.queryFile.textContent = name;
  }
}

function toBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** A large photo scaled down to SEND_SIDE pixels (JPEG); anything else, including what the browser cannot decode, as it is. */
async function prepareUpload(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { blob: file, decodable: false };
  }
  try {
    const side = Math.max(bitmap.width, bitmap.height);
    if (file.size <= MAX_SEND_BYTES && side <= MAX_SEND_SIDE) return { blob: file, decodable: true };
    const scale = Math.min(1, SEND_SIDE / side);
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 }), decodable: true };
  } finally {
    bitmap.close();
  }
}

async function searchFile(file) {
  clearError();
  const { blob, decodable } = await prepareUpload(file);
  showQuery({ url: decodable ? URL.createObjectURL(file) : undefined, name: file.name || 'pasted image' });
  await search({ blob, mimeType: blob.type || file.type, label: file.name || 'your image' });
}

async function searchProduct(p) {
  clearError();
  showQuery({ url: imageUrl(p.image), name: p.title });
  window.scrollTo({ top: 0, behavior: 'smooth' });
  const res = await fetch(imageUrl(p.image));
  const blob = await res.blob();
  await search({ blob, mimeType: blob.type, label: p.title });
}

/** Why a search failed, from the gateway's answer: an executor's error in `header.status`, or an HTTP error. */
function failure(res, body) {
  const status = body?.header?.status;
  const description = status?.description ?? body?.detail ?? `HTTP ${res.status}`;
  const name = status?.exception?.name;
  if (name === 'BadDocumentError' || /not a decodable image|cannot encode/i.test(description)) {
    return ['That file is not an image we can read. Try a JPEG, PNG, WebP, GIF, AVIF or SVG image.', description];
  }
  return [`The search failed: ${description}`, name ? `${name} in ${status?.exception?.executor ?? 'the Flow'}` : ''];
}

async function search(query) {
  lastQuery = query;
  const seq = ++searchSeq;
  const limit = Number(els.limit.value);
  const category = els.category.value;
  // dropImage / dropQueryEmbedding: the answer carries the matches, not the uploaded photo and its embedding back
  const parameters = { limit, dropImage: true, dropQueryEmbedding: true };
  if (category) parameters.filter = { tags__category: { $eq: category } };
  els.status.textContent = `Searching for products like ${query.label}…`;
  const t0 = performance.now();
  let res;
  let body;
  try {
    const doc = { id: 'query', blob: await toBase64(query.blob) };
    if (query.mimeType) doc.mime_type = query.mimeType;
    res = await fetch('/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [doc], parameters }),
    });
    body = await res.json().catch(() => undefined);
  } catch (err) {
    if (seq !== searchSeq) return;
    els.status.textContent = '';
    showError('The shop did not answer. Is the app still running?', String(err));
    return;
  }
  if (seq !== searchSeq) return; // a newer search is under way
  const ms = performance.now() - t0;
  if (!res.ok || body?.header?.status?.code === 1 || !Array.isArray(body?.data)) {
    els.results.replaceChildren();
    els.status.textContent = '';
    showError(...failure(res, body));
    return;
  }
  const matches = body.data[0]?.matches ?? [];
  els.results.replaceChildren(
    ...matches.map((m, i) =>
      productCard(
        { id: m.id, ...m.tags },
        { score: 1 - (m.scores?.cosine?.value ?? 1), rank: i === 0 ? 1 : undefined },
      ),
    ),
  );
  const where = category ? ` in ${category}` : '';
  els.status.textContent =
    matches.length === 0
      ? `No products${where}.`
      : `${matches.length} products${where} like ${query.label}, in ${Math.round(ms)} ms.`;
}

function wire() {
  els.input.addEventListener('change', () => {
    const file = els.input.files?.[0];
    els.input.value = '';
    if (file) searchFile(file).catch(unexpected);
  });
  for (const type of ['dragenter', 'dragover']) {
    els.dropzone.addEventListener(type, (e) => {
      e.preventDefault();
      els.dropzone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    els.dropzone.addEventListener(type, () => els.dropzone.classList.remove('dragging'));
  }
  els.dropzone.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) searchFile(file).catch(unexpected);
  });
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files ?? [])][0];
    if (file) searchFile(file).catch(unexpected);
  });
  els.category.addEventListener('change', () => {
    shown = BROWSE_PAGE;
    renderCatalogue();
    if (lastQuery) search(lastQuery).catch(unexpected);
  });
  els.limit.addEventListener('change', () => {
    if (lastQuery) search(lastQuery).catch(unexpected);
  });
  els.more.addEventListener('click', () => {
    shown += BROWSE_PAGE;
    renderCatalogue();
  });
}

wire();
loadCatalogue().catch((err) => showError('The catalogue could not be loaded.', String(err)));
