// An ONNX model file as `lca import` needs it: decoded, its opset and ops checked, and its one data
// input, its logits and its float initializers (the candidate parameters) found.
import { gradientGraph } from '../engine/autodiff.js';
import { decodeModel } from '../engine/onnx/decode.js';
import { DataType, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from '../engine/onnx/model.js';
import { InputError } from '../errors.js';
import { readInput } from './tensors.js';

export const OPSET_RANGE = [13, 21] as const;

export interface ModelInterface {
  model: OnnxModel;
  /** The data input (not an initializer), e.g. `input` [batch, 1, 28, 28]. */
  input: OnnxValueInfo;
  /** The logits output [batch, classes]. */
  output: OnnxValueInfo;
  numClasses: number;
  /** float32 initializers, in the graph's order. */
  floatInitializers: OnnxTensor[];
  /** Whether some BatchNormalization normalises with the batch's statistics (training_mode = 1). */
  usesBatchStatistics: boolean;
  /** Running statistics of batch norms in training form: inputs their output does not depend on. */
  unusedRunningStatistics: Set<string>;
}

export function readOnnxFile(file: string): OnnxModel {
  const bytes = readInput(file);
  try {
    return decodeModel(bytes);
  } catch (err) {
    throw new InputError(`${file}: not a readable ONNX model (${(err as Error).message})`);
  }
}

/** Checks the opset and finds the model's interface (batch norm's training form normalised in place). */
export function inspectModel(model: OnnxModel, file: string): ModelInterface {
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!opset) throw new InputError(`${file}: the model imports no ai.onnx opset`);
  if (opset.version < OPSET_RANGE[0] || opset.version > OPSET_RANGE[1]) {
    throw new InputError(`${file}: opset ${opset.version} is outside the supported ${OPSET_RANGE[0]}–${OPSET_RANGE[1]}; re-export with opset_version=17`);
  }
  const { graph } = model;
  const initializerNames = new Set(graph.initializers.map((t) => t.name));
  const inputs = graph.inputs.filter((i) => !initializerNames.has(i.name));
  if (inputs.length !== 1) {
    throw new InputError(`${file}: expected one data input, found ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  }
  const [input] = inputs;
  if (input.elemType !== DataType.FLOAT) throw new InputError(`${file}: the input ${input.name} is not float32 (element type ${input.elemType})`);
  if (typeof input.shape[0] === 'number') {
    throw new InputError(`${file}: the input ${input.name} has a fixed batch size of ${input.shape[0]}; export with a dynamic batch axis ` +
      `(torch.onnx.export(…, dynamic_axes={'${input.name}': {0: 'batch'}}))`);
  }
  const output = graph.outputs[0];
  if (!output) throw new InputError(`${file}: the model has no output`);
  const classes = output.shape[output.shape.length - 1];
  if (output.shape.length !== 2 || typeof classes !== 'number') {
    throw new InputError(`${file}: the first output ${output.name} should be logits [batch, classes], found [${output.shape.join(', ')}]`);
  }
  // training_mode exists from opset 14; before it, a BatchNormalization with its running-statistics outputs is the training form.
  const trainingForm = graph.nodes.filter((n) => n.opType === 'BatchNormalization' &&
    (n.attributes.training_mode?.value === 1 || (opset.version < 14 && n.outputs.filter((o) => o !== '').length > 1)));
  // Opset 13's training form (running-statistics outputs, no attribute) is rewritten in memory to the
  // attribute form, the one the autodiff reads; its extra outputs never reach the logits.
  for (const node of trainingForm) {
    node.attributes.training_mode = { kind: 'int', value: 1 };
    node.outputs = node.outputs.slice(0, 1);
  }
  const usesBatchStatistics = trainingForm.length > 0;
  const unusedRunningStatistics = new Set(trainingForm.flatMap((n) => n.inputs.slice(3, 5)));
  return {
    model, input, output, numClasses: classes, usesBatchStatistics, unusedRunningStatistics,
    floatInitializers: graph.initializers.filter((t) => t.dataType === DataType.FLOAT),
  };
}

/**
 * Builds the gradient graph once, so that an op lca's autodiff cannot differentiate (on a path from a
 * parameter to the logits) is a one-line error at import, naming op, node and file, not at compute.
 */
export function checkDifferentiable(model: ModelInterface, file: string, parameters: string[]): void {
  try {
    gradientGraph(model.model, { logits: model.output.name, parameters });
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${file}: ${err.message}`);
    throw err;
  }
}
