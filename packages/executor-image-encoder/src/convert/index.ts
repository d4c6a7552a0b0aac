/** The tfjs Keras -> ONNX converter: read tfjs model files, convert chosen layers, serialize the ONNX model. */
export { samePadding } from './convert-spatial.js';
export { convertGraphModel, GRAPH_CONVERTER_VERSION, isGraphModel } from './graph-to-onnx.js';
export {
  CONVERTER_VERSION,
  type ConvertedModel,
  type ConvertOptions,
  type ConvertOutput,
  convertKerasModel,
  OPSET,
} from './keras-to-onnx.js';
export { decodeOnnxModel, encodeOnnxModel, type OnnxModel } from './onnx-proto.js';
export {
  hashModelFiles,
  loadTfjsModel,
  locateModelFiles,
  nsfwjsModelsDir,
  type TfjsModel,
  type TfjsModelFiles,
} from './tfjs-model.js';
