// A small executor of the golden-test project: the export rebases its path into the image.
import { type DocumentArray, Executor, requests } from '@weft-ai/weft';

export class Tagger extends Executor {
  @requests({ on: '/tag' })
  tag({ docs }: { docs: DocumentArray }): DocumentArray {
    for (const d of docs) d.tags.tagged = true;
    return docs;
  }
}
