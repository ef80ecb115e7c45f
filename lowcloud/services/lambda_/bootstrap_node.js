/*
 * lowcloud's Node.js runtime bootstrap: speaks AWS's Lambda Runtime API.
 *
 * Run as `node bootstrap_node.js <opt dir>` with the function's environment. It
 * behaves as AWS's Node.js runtime interface client does: console.* patched to
 * `<ISO time>\t<request id>\t<LEVEL>\t<message>`, the handler loaded at init
 * (CommonJS or ES module; failures posted to /runtime/init/error), async, callback
 * and context.succeed/fail/done handlers with callbackWaitsForEmptyEventLoop (the
 * beforeExit event tells when the loop is empty), and errors reported as
 * {errorType, errorMessage, trace}. Two lowcloud-specific parts: log records reach
 * the platform as `\x1e<json>\n` frames on stdout (AWS uses a telemetry fd), with a
 * `done` frame before each result; and when the function's code loads the v2
 * `aws-sdk` (which ignores AWS_ENDPOINT_URL), its global config is pointed at
 * AWS_ENDPOINT_URL so the function reaches lowcloud as SDK v3 does on its own.
 */
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const Module = require('module');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const state = { requestId: undefined, beforeExit: null };

// --- output ------------------------------------------------------------------------------
function frame(obj) {
  fs.writeSync(1, '\x1e' + JSON.stringify(obj) + '\n');
}

function patchConsole() {
  const levels = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (message, ...params) => {
      const line = `${new Date().toISOString()}\t${state.requestId}\t${level}\t${util.format(message, ...params)}\n`;
      frame({ log: line });
    };
  }
  console.log = console.info;
}

function withEnumerable(value) {
  if (!(value instanceof Error)) return value;
  const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}

function logError(label, error) {
  let text;
  try {
    text = '\t' + JSON.stringify(error, (_k, v) => withEnumerable(v));
  } catch (_e) {
    text = '\t' + JSON.stringify(toRapidResponse(error));
  }
  console.error(label, text);
}

// --- errors -------------------------------------------------------------------------------
function isErrorLike(obj) {
  return obj && typeof obj.name === 'string' && typeof obj.message === 'string' && typeof obj.stack === 'string';
}

function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_e) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more ' +
        'of its message, name, and stack',
    };
  }
}

function runtimeError(kind, message) {
  const error = new Error(message);
  error.name = `Runtime.${kind}`;
  return error;
}

// --- Runtime API client --------------------------------------------------------------------
function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, agent, path: '/2018-06-01/runtime' + urlPath, headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
    req.on('error', reject);
    req.end(body);
  });
}

function post(urlPath, payload, errorType) {
  let body;
  try {
    body = JSON.stringify(payload === undefined ? null : payload);
  } catch (_e) {
    body = JSON.stringify(toRapidResponse(new Error('Unable to stringify response body')));
    errorType = 'Error';
    urlPath = urlPath.replace(/response$/, 'error');
  }
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  return request('POST', urlPath, body, headers);
}

function postResult(id, result) {
  frame({ done: id });
  return post(`/invocation/${encodeURIComponent(id)}/response`, result);
}

function postError(id, error) {
  const response = toRapidResponse(error);
  frame({ done: id });
  return post(`/invocation/${encodeURIComponent(id)}/error`, response, response.errorType);
}

function postInitError(error) {
  const response = toRapidResponse(error);
  return post('/init/error', response, response.errorType);
}

// --- aws-sdk v2 endpoint --------------------------------------------------------------------
function pointSdkV2AtEndpoint() {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) return;
  const originalLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    const loaded = originalLoad.apply(this, arguments);
    // aws-sdk v2's core object (AWS): node_loader replaces AWS.config after core loads, so mark the config
    // object itself and update whichever one is current each time the module is handed out.
    if (loaded && typeof loaded.Service === 'function' && typeof loaded.Config === 'function' && loaded.config
        && !loaded.config.__lowcloudEndpoint) {
      loaded.config.update({ endpoint, s3ForcePathStyle: true });
      Object.defineProperty(loaded.config, '__lowcloudEndpoint', { value: true });
    }
    return loaded;
  };
}

// --- handler loading --------------------------------------------------------------------------
function typeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const manifest = path.join(folder, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      return JSON.parse(fs.readFileSync(manifest)).type === 'module';
    } catch (_e) {
      return false;
    }
  }
  const parent = path.resolve(folder, '..');
  return parent !== folder && typeModule(parent);
}

async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  const exists = (suffix) => fs.existsSync(base + suffix);
  if (exists('')) return require(base);
  const esm = typeModule(path.dirname(base));
  if (!esm && exists('.js')) return require(base + '.js');
  if (esm && exists('.js')) return import(base + '.js');
  if (exists('.mjs')) return import(base + '.mjs');
  if (exists('.cjs')) return require(base + '.cjs');
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw runtimeError('MalformedHandlerName', `'${fullHandler}' is not a valid handler name. Use absolute paths ` +
      'when specifying root directories in handler names.');
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) throw runtimeError('MalformedHandlerName', 'Bad handler');
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, match[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('UserCodeSyntaxError', String(e));
    if (e && e.code === 'MODULE_NOT_FOUND') throw runtimeError('ImportModuleError', String(e));
    throw e;
  }
  const fn = match[2].split('.').reduce((obj, key) => obj && obj[key], app);
  if (!fn) throw runtimeError('HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('HandlerNotFound', `${fullHandler} is not a function`);
  return fn;
}

// --- invocation loop ---------------------------------------------------------------------------
function buildContext(headers, id, finish) {
  let waitForEmptyEventLoop = true;
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (name, label) => {
    if (headers[name] === undefined) return undefined;
    try {
      return JSON.parse(headers[name]);
    } catch (err) {
      throw new Error(`Cannot parse ${label} as json: ${err.toString()}`);
    }
  };
  return {
    get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
    set callbackWaitsForEmptyEventLoop(value) { waitForEmptyEventLoop = value; },
    succeed: (result) => finish(null, result, false),
    fail: (err) => finish(err === undefined || err === null ? 'handled' : err, null, false),
    done: (err, result) => finish(err, result, false),
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse('lambda-runtime-client-context', 'ClientContext'),
    identity: parse('lambda-runtime-cognito-identity', 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

async function invokeOnce(handler) {
  const { headers, body } = await request('GET', '/invocation/next');
  const id = headers['lambda-runtime-aws-request-id'];
  state.requestId = id;
  frame({ start: id });
  if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  else delete process.env._X_AMZN_TRACE_ID;
  let finished = false;
  let context;
  const complete = (send) => {
    if (finished) return;
    finished = true;
    state.beforeExit = null;
    send().then(() => setImmediate(() => loop(handler)), (err) => fatal(err));
  };
  const finish = (err, result, fromCallback) => {
    if (err !== undefined && err !== null) {
      logError('Invoke Error', err);
      return complete(() => postError(id, err));
    }
    if (fromCallback && context.callbackWaitsForEmptyEventLoop) {
      state.beforeExit = () => setImmediate(() => complete(() => postResult(id, result)));
      return undefined;
    }
    return complete(() => postResult(id, result));
  };
  const callback = (err, result) => finish(err, result, true);
  state.beforeExit = () => complete(() => postResult(id, null));
  try {
    context = buildContext(headers, id, finish);
    const result = handler(JSON.parse(body), context, callback);
    if (result && typeof result.then === 'function') {
      result.then((value) => finish(null, value, false), (err) => finish(err === undefined || err === null
        ? 'handled' : err, null, false));
    }
  } catch (err) {
    finish(err, null, false);
  }
}

function loop(handler) {
  invokeOnce(handler).catch(fatal);
}

function fatal(err) {
  process.stderr.write(`lowcloud bootstrap: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

async function main() {
  patchConsole();
  pointSdkV2AtEndpoint();
  process.on('beforeExit', () => {
    if (state.beforeExit) state.beforeExit();
  });
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    const send = state.requestId ? postError(state.requestId, error) : postInitError(error);
    send.finally(() => process.exit(129));
  });
  process.on('unhandledRejection', (reason) => {
    const error = runtimeError('UnhandledPromiseRejection', String(reason && reason.message ? reason : reason));
    error.reason = reason;
    logError('Unhandled Promise Rejection', error);
    const send = state.requestId ? postError(state.requestId, error) : postInitError(error);
    send.finally(() => process.exit(128));
  });
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || '');
  } catch (error) {
    logError('Uncaught Exception', error);
    await postInitError(error).catch(() => {});
    process.exit(129);
  }
  loop(handler);
}

main();
