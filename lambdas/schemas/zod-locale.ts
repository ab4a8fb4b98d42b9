import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini loads no locale, so every default message would read "Invalid input". Load English once;
// every schema module imports this file for its side effect. Import `en` by name: `z.locales.en()` pulls
// all ~60 locales (about 260 KB minified) into each bundle, as esbuild cannot drop the rest of `z.locales`.
z.config(en());
