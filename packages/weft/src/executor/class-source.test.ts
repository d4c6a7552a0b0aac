import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Executor } from '../executor/index.js';
import { callerModule, definitionModule, locateClass } from './class-source.js';

class LocalExec extends Executor {}

describe('class source (parent side)', () => {
  it('finds the first stack frame outside weft’s own sources', () => {
    const own = new URL('./deployment.ts', import.meta.url).href;
    const stack = [
      'Error',
      `    at new Deployment (${own}:40:12)`,
      `    at Flow.add (${new URL('../flow/flow.ts', import.meta.url).href}:10:3)`,
      '    at file:///home/me/app/main.ts:7:13',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
    ].join('\n');
    assert.equal(callerModule(stack), 'file:///home/me/app/main.ts');
    assert.equal(callerModule('Error\n    at Object.<anonymous> (/srv/app/main.cjs:3:1)'), 'file:///srv/app/main.cjs');
    assert.equal(callerModule('Error\n    at node:internal/main:1:1'), undefined);
    assert.equal(callerModule(), undefined); // this test file is part of weft's sources; node:test's frames are not files
  });

  it('reads the defining module of a class from V8', () => {
    assert.equal(definitionModule(LocalExec), import.meta.url);
    assert.equal(definitionModule(Executor), new URL('../executor/executor.ts', import.meta.url).href);
    const evaluated = new Function('return class Evaluated {}')() as object;
    assert.equal(definitionModule(evaluated), undefined);
  });

  it('lists the defining module, then the call site, for the child to import', () => {
    assert.deepEqual(locateClass(LocalExec, 'file:///app/main.ts'), {
      module: import.meta.url,
      exportName: 'LocalExec',
      capture: true,
      modules: ['file:///app/main.ts'],
    });
    assert.deepEqual(locateClass(LocalExec, import.meta.url), {
      module: import.meta.url,
      exportName: 'LocalExec',
      capture: true,
    });
    const anonymous = (() => class extends Executor {})();
    assert.throws(() => locateClass(anonymous, import.meta.url), {
      code: 'WEFT_EXECUTOR_LOAD',
      message: /anonymous class/,
    });
    const evaluated = new Function('E', 'return class Evaluated extends E {}')(Executor) as { name: string };
    assert.throws(() => locateClass(evaluated, undefined), /cannot tell which module defines class 'Evaluated'/);
    assert.deepEqual(locateClass(evaluated, 'file:///app/main.ts').module, 'file:///app/main.ts');
  });
});
