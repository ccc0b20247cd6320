// The ONNX ops lca's reverse-mode pass differentiates: what the built-in networks use and what a
// PyTorch export of them emits (issue 11). `lca import` refuses a graph with any other op up front.
export const SUPPORTED_OPS: ReadonlySet<string> = new Set([
  'Gemm', 'MatMul', 'Add', 'Mul', 'Conv', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'BatchNormalization', 'Flatten', 'Reshape', 'Identity', 'Constant',
]);
