// The executor of docs/guides/extending/flow.yml.
import { type EndpointArgs, Executor, requests } from '@weft-ai/weft';

export class Shouter extends Executor {
  @requests({ on: '/shout' })
  shout({ docs }: EndpointArgs): void {
    for (const d of docs) d.text = (d.text ?? '').toUpperCase();
  }
}
