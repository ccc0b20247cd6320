// Names of the per-class columns that `lca compute --per-class` writes into LCA parts and `lca analyze`
// reads: `class_3_loss` … `class_3_error`, and `class_3/fc_1/kernel` for class 3's LCA summed over a variable;
// with --val, `val/fc_1/kernel` for the validation loss's LCA summed over a variable.
export const classColumn = (c: number, column: string): string => `class_${c}_${column}`;
export const classVariableColumn = (c: number, variable: string): string => `class_${c}/${variable}`;
export const valVariableColumn = (variable: string): string => `val/${variable}`;
