// Run at image build time: converts ImageEncoder's default model into $WEFT_MODEL_CACHE once, so a container starts
// without the conversion. (A file, not `node -e`: the conversion's worker thread inherits node's flags.)
import { ImageEncoder } from '@weft-ai/executor-image-encoder';

const encoder = new ImageEncoder();
console.log(await encoder.ready());
await encoder.close();
