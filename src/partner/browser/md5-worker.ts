/** The hashing worker behind Md5Pool: {id, blob} in, {id, md5} (base64) or {id, error} out. */
import { contentMd5Here } from './md5.js';

self.onmessage = async (e: MessageEvent<{ id: number; blob: Blob }>) => {
  const { id, blob } = e.data;
  try {
    postMessage({ id, md5: await contentMd5Here(blob) });
  } catch (err) {
    postMessage({ id, error: String(err) });
  }
};
