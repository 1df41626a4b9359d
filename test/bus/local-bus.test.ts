import { LocalBus } from '../../src/bus/local-bus.js';
import { runBusContract } from './bus-contract.js';

runBusContract('LocalBus', { open: () => Promise.resolve(new LocalBus()), clustered: false });
