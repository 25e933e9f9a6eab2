// The Pulumi SDK takes `new Error().stack` of every promise it makes (runtime/debuggable.js: kept for its
// "promise leaked" report at exit). Under jest each of those stacks went through jest's source-map lookup,
// 100 frames deep, most of them inside the SDK's own mapped files: measured on the unit tier, a third of its
// time (sum over files 174 s, 115 s without any stacks). Those stacks alone are formatted as Node does
// without source maps, 10 frames deep; every other stack (a failing test's, an error of our code) is mapped
// as before.
const DEBUGGABLE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;
const plain = (error: Error, frames: NodeJS.CallSite[]) => `${String(error)}\n${frames.map((f) => `    at ${f.toString()}`).join("\n")}`;
const mapped = Error.prepareStackTrace;
Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
  if (frames.length > 0 && DEBUGGABLE.test(frames[0].getFileName() ?? "")) return plain(error, frames.slice(0, 10));
  return mapped ? mapped(error, frames) : plain(error, frames);
};
