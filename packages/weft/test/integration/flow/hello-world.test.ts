import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentArray, type EndpointArgs, Executor, Flow, requests } from '../../../src/index.js';

/** The seeds' hello world, in TypeScript. */
export class MyExec extends Executor {
  @requests()
  foo({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = `${d.text ?? ''}hello, world!`;
  }
}

describe('Flow hello world', () => {
  it('two chained executors answer two empty documents', async () => {
    await using f = await new Flow().add({ uses: MyExec }).add({ uses: MyExec }).start();
    const r = await f.post('/', DocumentArray.empty(2));
    assert.deepEqual(r.texts, ['hello, world!hello, world!', 'hello, world!hello, world!']);
    assert.deepEqual(Object.keys(f.addresses), ['executor0', 'executor1']);
  });
});
