/** Lexical search over product titles and categories: the BM25 index and the TextSearch executor around it. */
export { type Bm25Hit, Bm25Index, tokenize } from './bm25.js';
export { TextSearch, type TextSearchOptions } from './text-search.js';
