const t = performance.now();
await import('./dist/commands/mock.js');
console.log('import commands/mock', Math.round(performance.now() - t));
