import { FakeDealStore } from '../helpers/fakes';
import { dealStoreContract } from './deal-store.contract';

dealStoreContract('FakeDealStore (test/helpers/fakes.ts)', async () => new FakeDealStore());
