// The shop-the-look page: a photo (chosen, dropped or pasted), words, or both go to `POST /api/search` (the photo
// as the request body, the rest in the query string); a product's "More like this" searches by its stored look.
// While the catalogue is being indexed the page shows the progress it polls from `GET /api/status`. Plain browser
// JavaScript, no build step.

const BROWSE_PAGE = 60;
/** Photos larger than this (bytes or pixels on a side) are scaled down in the browser before they are sent. */
const MAX_SEND_BYTES = 1_500_000;
const MAX_SEND_SIDE = 1600;
const SEND_SIDE = 1024;
/** The server's limit (SHOP_MAX_UPLOAD_MB default); a file the browser cannot scale down must be under it. */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const $ = (id) => document.getElementById(id);
const els = {
  indexing: $('indexing'),
  indexingText: $('indexing-text'),
  indexingBar: $('indexing-bar'),
  textForm: $('text-form'),
  text: $('text'),
  dropzone: $('dropzone'),
  input: $('file-input'),
  queryImage: $('query-image'),
  queryFile: $('query-file'),
  hint: $('drop-hint'),
  clearPhoto: $('clear-photo'),
  category: $('category'),
  limit: $('limit'),
  status: $('status'),
  noMatch: $('no-match'),
  error: $('error'),
  errorMessage: $('error-message'),
  errorDetails: $('error-details'),
  errorDetail: $('error-detail'),
  results: $('results'),
  catalogue: $('catalogue'),
  browseCount: $('browse-count'),
  more: $('more'),
};
const price = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

let products = [];
let shown = BROWSE_PAGE;
/** The photo of the current query: `{ blob, label }`, or a product to search "more like". */
let photo;
let like;
let searchSeq = 0;
let queryUrl;

async function loadCatalogue() {
  const res = await fetch('/api/catalogue');
  if (!res.ok) throw new Error(`the catalogue did not load (HTTP ${res.status})`);
  const body = await res.json();
  products = body.products;
  for (const c of body.categories) els.category.append(new Option(c, c));
  renderCatalogue();
}

/** Poll the indexing progress until it is over; the banner says how far it got. */
async function watchIndexing() {
  for (;;) {
    let s;
    try {
      const res = await fetch('/api/status');
      s = await res.json();
    } catch {
      s = undefined;
    }
    if (s?.state === 'ready') {
      els.indexing.hidden = true;
      return;
    }
    els.indexing.hidden = false;
    if (s?.state === 'failed') {
      els.indexing.classList.add('failed');
      els.indexingText.textContent = `Indexing the catalogue stopped: ${s.error}`;
      return;
    }
    const done = s?.done ?? 0;
    const total = s?.total ?? 0;
    els.indexingBar.max = Math.max(1, total);
    els.indexingBar.value = done;
    els.indexingText.textContent =
      s?.state === 'indexing'
        ? `Indexing the catalogue: ${done} of ${total} products (${Math.floor((100 * done) / Math.max(1, total))} %). Searches cover what is indexed so far.`
        : 'Preparing the catalogue…';
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function imageUrl(image) {
  return `/catalogue/${image.split('/').map(encodeURIComponent).join('/')}`;
}

function scoreText(s) {
  const parts = [];
  if (s.image !== undefined) parts.push(`look ${s.image.toFixed(3)}`);
  if (s.text !== undefined) parts.push(`words ${s.text.toFixed(1)}`);
  return parts.join(' · ');
}

/** A product card; matches show their scores and a "More like this" button. */
function productCard(p, { scores, rank } = {}) {
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
  meta.append(cat);
  if (typeof p.price === 'number') {
    const cost = document.createElement('span');
    cost.className = 'price';
    cost.textContent = price.format(p.price);
    meta.append(cost);
  }
  info.append(title, meta);
  if (scores) {
    const s = document.createElement('span');
    s.className = 'score';
    if (scores.calibrated !== undefined) {
      const meter = document.createElement('meter');
      meter.min = 0;
      meter.max = 1;
      meter.value = scores.calibrated;
      s.append(meter);
    }
    const value = document.createElement('span');
    value.className = 'score-value';
    value.textContent = scoreText(scores);
    s.append(value);
    const more = document.createElement('button');
    more.type = 'button';
    more.className = 'more-like';
    more.textContent = 'More like this';
    more.addEventListener('click', (e) => {
      e.stopPropagation();
      searchLike(p).catch(unexpected);
    });
    info.append(s, more);
  }
  li.append(img, info);
  const pick = () => searchLike(p).catch(unexpected);
  li.addEventListener('click', pick);
  li.addEventListener('keydown', (e) => {
    if (e.target === li && (e.key === 'Enter' || e.key === ' ')) {
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

/** A message for the shopper; the developer's detail only behind the "Details" toggle. */
function showError(message, detail) {
  els.errorMessage.textContent = message;
  els.errorDetail.textContent = detail ?? '';
  els.errorDetails.hidden = !detail;
  els.errorDetails.open = false;
  els.error.hidden = false;
}

function unexpected(err) {
  els.status.textContent = '';
  showError('Something went wrong in the page.', String(err?.stack ?? err));
}

function clearMessages() {
  els.error.hidden = true;
  els.noMatch.hidden = true;
}

function showQuery({ url, name }) {
  if (queryUrl) URL.revokeObjectURL(queryUrl);
  queryUrl = url?.startsWith('blob:') ? url : undefined;
  els.hint.hidden = true;
  els.clearPhoto.hidden = false;
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

function clearQueryImage() {
  if (queryUrl) URL.revokeObjectURL(queryUrl);
  queryUrl = undefined;
  photo = undefined;
  like = undefined;
  els.queryImage.hidden = true;
  els.queryFile.hidden = true;
  els.hint.hidden = false;
  els.clearPhoto.hidden = true;
}

/**
 * A large photo scaled down to SEND_SIDE pixels (JPEG, upright: the browser applies the EXIF rotation, and a
 * transparent background becomes white); anything else, including what the browser cannot decode, as it is.
 */
async function prepareUpload(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
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

function megabytes(n) {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

async function searchFile(file) {
  clearMessages();
  const { blob, decodable } = await prepareUpload(file);
  like = undefined;
  showQuery({ url: decodable ? URL.createObjectURL(file) : undefined, name: file.name || 'pasted image' });
  if (blob.size > MAX_UPLOAD_BYTES) {
    photo = undefined;
    els.results.replaceChildren();
    els.status.textContent = '';
    showError(
      `That photo is too large (${megabytes(blob.size)}). The limit is ${megabytes(MAX_UPLOAD_BYTES)}.`,
      decodable ? '' : 'The browser could not read it to make it smaller, so it would have been sent as it is.',
    );
    return;
  }
  photo = { blob, label: file.name || 'your image' };
  await search();
}

async function searchLike(p) {
  clearMessages();
  photo = undefined;
  like = p;
  showQuery({ url: imageUrl(p.image), name: p.title });
  window.scrollTo({ top: 0, behavior: 'smooth' });
  await search();
}

async function search() {
  const seq = ++searchSeq;
  const words = els.text.value.trim();
  if (!photo && !like && !words) return;
  const params = new URLSearchParams({ limit: els.limit.value });
  const category = els.category.value;
  if (words) params.set('text', words);
  if (category) params.set('category', category);
  if (like) params.set('like', like.id);
  const label = [photo?.label ?? (like ? like.title : ''), words ? `“${words}”` : ''].filter(Boolean).join(' and ');
  els.status.textContent = `Searching for products like ${label}…`;
  clearMessages();
  const t0 = performance.now();
  let res;
  let body;
  try {
    res = await fetch(`/api/search?${params}`, {
      method: 'POST',
      ...(photo
        ? {
            headers: {
              'content-type': photo.blob.type.startsWith('image/') ? photo.blob.type : 'application/octet-stream',
            },
            body: photo.blob,
          }
        : {}),
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
  if (!res.ok || !Array.isArray(body?.matches)) {
    els.results.replaceChildren();
    els.status.textContent = '';
    const e = body?.error;
    if (res.status === 413 && !e) showError('That photo is too large.', `HTTP 413`);
    else showError(e?.message ?? `The search failed (HTTP ${res.status}).`, e?.detail ?? '');
    return;
  }
  const matches = body.matches;
  els.results.replaceChildren(
    ...matches.map((m, i) => productCard(m, { scores: m.scores, rank: i === 0 ? 1 : undefined })),
  );
  els.noMatch.hidden = body.closeMatch !== false || matches.length === 0;
  const where = category ? ` in ${category}` : '';
  els.status.textContent =
    matches.length === 0
      ? `No products${where} match ${label}.`
      : `${matches.length} products${where} like ${label}, in ${Math.round(ms)} ms.`;
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
  els.textForm.addEventListener('submit', (e) => {
    e.preventDefault();
    search().catch(unexpected);
  });
  els.clearPhoto.addEventListener('click', () => {
    clearQueryImage();
    search().catch(unexpected);
  });
  els.category.addEventListener('change', () => {
    shown = BROWSE_PAGE;
    renderCatalogue();
    search().catch(unexpected);
  });
  els.limit.addEventListener('change', () => search().catch(unexpected));
  els.more.addEventListener('click', () => {
    shown += BROWSE_PAGE;
    renderCatalogue();
  });
}

wire();
loadCatalogue().catch((err) => showError('The catalogue could not be loaded.', String(err)));
watchIndexing().catch(unexpected);
