#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node from tests/peers) for prunq's tests.
// Usage: node ort_run.js MODEL.onnx OUT_DIR INPUT.f32:D0xD1x... [more inputs, in graph order]
// Inputs are raw little-endian float32 files. Writes OUT_DIR/output_<i>.f32 for each graph
// output and prints a JSON list of {name, dims} on stdout. Exit code 2: onnxruntime-node missing.
'use strict';
const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require(path.join(__dirname, '..', 'peers', 'node_modules', 'onnxruntime-node'));
} catch (e) {
  console.error('onnxruntime-node is not installed (cd tests/peers && npm install --ignore-scripts): ' + e.message);
  process.exit(2);
}

async function main() {
  const [modelPath, outDir, ...inputSpecs] = process.argv.slice(2);
  if (!modelPath || !outDir) throw new Error('usage: ort_run.js MODEL.onnx OUT_DIR INPUT.f32:DIMS...');
  const session = await ort.InferenceSession.create(modelPath, {graphOptimizationLevel: 'disabled'});
  if (inputSpecs.length !== session.inputNames.length)
    throw new Error(`model has ${session.inputNames.length} inputs, got ${inputSpecs.length}`);
  const feeds = {};
  inputSpecs.forEach((spec, i) => {
    const cut = spec.lastIndexOf(':');
    const dims = spec.slice(cut + 1).split('x').map(Number);
    const bytes = fs.readFileSync(spec.slice(0, cut));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    feeds[session.inputNames[i]] = new ort.Tensor('float32', data, dims);
  });
  const results = await session.run(feeds);
  const info = session.outputNames.map((name, i) => {
    const t = results[name];
    if (t.type !== 'float32') throw new Error(`output ${name} is ${t.type}, expected float32`);
    fs.writeFileSync(path.join(outDir, `output_${i}.f32`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return {name, dims: t.dims};
  });
  process.stdout.write(JSON.stringify(info) + '\n');
}

main().catch((e) => {
  console.error('ort_run.js: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
