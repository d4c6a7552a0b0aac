/**
 * The files `weft new executor NAME` writes: an npm package holding one Executor in TypeScript, its executor YAML,
 * a node:test test that serves it in a Flow and calls it, a README, tsconfig.json and a Dockerfile. Generated from
 * code (no template folder to ship); every file is plain text a user owns from then on.
 */

/** What the files are made from. */
export interface ExecutorScaffold {
  /** The npm package name (`demo`, `@acme/image-tagger`). */
  packageName: string;
  /** The file stem (`demo`, `image-tagger`): the name without its scope. */
  stem: string;
  /** The Executor class (`Demo`, `ImageTagger`). */
  className: string;
  /** The version (range or `file:` path) of weft the package depends on. */
  weftSpec: string;
}

/** Versions of the dev tools the package builds and tests with (those weft itself is developed with). */
const DEV_DEPENDENCIES = { '@types/node': '^20.19.43', tsx: '^4.23.15', typescript: '^5.9.3' };

/** Relative path → content. */
export function executorFiles(s: ExecutorScaffold): Record<string, string> {
  return {
    'package.json': packageJson(s),
    'tsconfig.json': tsconfig(),
    [`src/${s.stem}.ts`]: source(s),
    'config.yml': configYaml(s),
    [`test/${s.stem}.test.ts`]: test(s),
    'README.md': readme(s),
    Dockerfile: dockerfile(s),
    '.dockerignore': 'node_modules\ndist\n',
    '.gitignore': 'node_modules\ndist\n',
  };
}

function packageJson(s: ExecutorScaffold): string {
  const pkg = {
    name: s.packageName,
    version: '0.1.0',
    description: `${s.className}: a weft Executor`,
    type: 'module',
    main: `./dist/${s.stem}.js`,
    types: `./dist/${s.stem}.d.ts`,
    exports: { '.': { types: `./dist/${s.stem}.d.ts`, default: `./dist/${s.stem}.js` } },
    files: ['dist', 'config.yml'],
    scripts: {
      build: 'tsc -p tsconfig.json',
      prepare: 'npm run build',
      test: `node --import tsx --test test/${s.stem}.test.ts`,
      start: 'weft executor --uses config.yml --port 8080',
    },
    dependencies: { '@weft-ai/weft': s.weftSpec },
    devDependencies: DEV_DEPENDENCIES,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function tsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023', 'ESNext.Decorators'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      declaration: true,
      rootDir: 'src',
      outDir: 'dist',
      types: ['node'],
    },
    include: ['src/**/*.ts'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function source(s: ExecutorScaffold): string {
  return `/**
 * ${s.className}: a weft Executor. Each method marked with @requests serves an endpoint; \`with:\` in config.yml
 * becomes the constructor's options.
 */
import { type EndpointArgs, Executor, type ExecutorArgs, requests } from '@weft-ai/weft';

export interface ${s.className}Options {
  /** The word put before each document's text. */
  greeting: string;
}

export class ${s.className} extends Executor {
  readonly greeting: string;

  constructor(args: ExecutorArgs<${s.className}Options> = {}) {
    super(args);
    this.greeting = args.greeting ?? 'hello';
  }

  @requests({ on: '/greet' })
  greet({ docs, parameters }: EndpointArgs): void {
    const greeting = typeof parameters.greeting === 'string' ? parameters.greeting : this.greeting;
    for (const doc of docs) doc.text = \`\${greeting}, \${doc.text ?? 'world'}\`;
  }
}
`;
}

function configYaml(s: ExecutorScaffold): string {
  return `# The executor YAML: \`weft executor --uses config.yml\`, or \`uses: ${s.stem}/config.yml\` in a Flow YAML.
jtype: ${s.className}
with:
  greeting: hello
metas:
  name: ${s.stem}
modules:
  - ./src/${s.stem}.ts
`;
}

function test(s: ExecutorScaffold): string {
  return `import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, DocumentArray, Flow } from '@weft-ai/weft';
import { ${s.className} } from '../src/${s.stem}.js';

test('${s.className} greets each document', async () => {
  const executor = new ${s.className}({ greeting: 'hi' });
  const docs = new DocumentArray([{ text: 'Ada' }, {}]);
  await executor.greet({ docs, parameters: {}, docsMatrix: [docs], docsMap: {}, headers: {} });
  assert.deepEqual(
    [...docs].map((d) => d.text),
    ['hi, Ada', 'hi, world'],
  );
});

// config.yml served in a Flow (the executor in its own process, behind a gateway), called by the Client
let flow: Flow;
let client: Client;
before(async () => {
  flow = await new Flow().add({ uses: fileURLToPath(new URL('../config.yml', import.meta.url)) }).start();
  client = new Client({ host: \`grpc://127.0.0.1:\${flow.port}\` });
});
after(async () => {
  await client?.close();
  await flow?.close();
});

test('config.yml serves /greet in a Flow', async () => {
  const docs = await client.post('/greet', [{ text: 'Grace' }], { parameters: { greeting: 'hey' } });
  assert.equal(docs.at(0)?.text, 'hey, Grace');
});
`;
}

function readme(s: ExecutorScaffold): string {
  return `# ${s.packageName}

\`${s.className}\`, a [weft](https://github.com/weft-ai/weft) Executor.

\`\`\`sh
npm install                       # also builds dist/ (the \`prepare\` script)
npm test                          # serves config.yml in a Flow and calls it
npx weft executor --uses config.yml --port 8080
\`\`\`

Use it in a Flow YAML (\`npm install ${s.packageName}\` in that project first):

\`\`\`yaml
jtype: Flow
executors:
  - name: ${s.stem}
    uses: npm:${s.packageName}@^0.1
\`\`\`

Or build an image: \`docker build -t ${s.stem} .\` then \`docker run -p 8080:8080 ${s.stem}\`.
`;
}

function dockerfile(s: ExecutorScaffold): string {
  return `# ${s.className} served on gRPC port 8080.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build
EXPOSE 8080
CMD ["npx", "weft", "executor", "--uses", "config.yml", "--port", "8080", "--host", "0.0.0.0"]
`;
}
