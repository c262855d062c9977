import { serve, type FrameworkModule } from './types';

/** Angular CLI: `ng serve` on 4200 unless `--port` or the angular.json `serve` options say otherwise; it does not read PORT. */
export const angular: FrameworkModule = {
  framework: 'angular',
  label: 'Angular',
  deps: ['@angular/core'],
  match(bin, args) {
    if (bin !== 'ng' || (args[0] !== 'serve' && args[0] !== 's' && args[0] !== 'dev')) return undefined;
    return { words: 1, spec: serve({ id: 'ng-serve', framework: 'angular', label: 'Angular', role: 'dev', defaultPort: 4200, fixFlag: ' --port {port}' }) };
  },
};
