/**
 * The control plane's replicas as a client names them: one `HOST:PORT`, or several separated by
 * commas (`a:6180,b:6180,c:6180`), in `--controlplane`, FLOTILLA_CONTROLPLANE or a context of the
 * client config. Every replica of one control plane answers every call (they share one database),
 * so the list is an order of preference, tried first to last, as libpq tries the hosts of a
 * connection string.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { parseHostPort } from '../common/address.js';

/** Splits a list of replicas into its addresses, trimmed; INVALID_ARGUMENT naming `flag` for an empty list or a bad entry. */
export function controlPlaneAddresses(text: string, flag = '--controlplane'): string[] {
  const addresses = text
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  if (addresses.length === 0)
    throw new InvalidArgumentError(`${flag} "${text}" names no control plane: give HOST:PORT, or several as a,b,c`);
  for (const address of addresses) parseHostPort(address, `${flag} entry`);
  const repeated = addresses.find((address, index) => addresses.indexOf(address) !== index);
  if (repeated) throw new InvalidArgumentError(`${flag} "${text}" names ${repeated} twice`);
  return addresses;
}
