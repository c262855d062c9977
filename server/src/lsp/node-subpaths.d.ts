/**
 * The vscode-languageserver 10 family publishes its Node entry points only through package.json
 * "exports" (`vscode-languageserver/node`, ...), which TypeScript's classic `moduleResolution: node`
 * (server/tsconfig) does not read; their bare names have no "main"/"types" outside "exports" either.
 * These declarations point the type checker at the same files; at run time Node and esbuild resolve the real subpaths through "exports".
 */
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
declare module 'vscode-languageserver' {
  export * from 'vscode-languageserver/lib/common/api';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-jsonrpc' {
  export * from 'vscode-jsonrpc/lib/common/api';
}
