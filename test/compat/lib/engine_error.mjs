// Errors the engine adapters throw, shared so tests can tell the three kinds apart:
//  * EngineError  -- SQLite/extension reported an error for a statement (a comparable outcome);
//  * EngineCrash  -- the engine died or trapped (host process exited, wasm RuntimeError);
//  * HarnessError -- the harness itself misused an adapter or the protocol (a test bug).

export class EngineError extends Error {
  constructor(message, code, { xcode = null, autocommit = null } = {}) {
    super(message);
    this.name = 'EngineError';
    this.code = code;          // primary SQLite result code (rc & 0xff semantics)
    this.xcode = xcode;        // extended code where the engine can report it (host only)
    this.autocommit = autocommit;
  }
}

export class EngineCrash extends Error {
  constructor(message) {
    super(message);
    this.name = 'EngineCrash';
  }
}

export class HarnessError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HarnessError';
  }
}
