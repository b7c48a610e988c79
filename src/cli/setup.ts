/**
 * `callfilter setup [--country DE] [--area-code 30]`: keeps the home country and area code in the database, checked
 * as strictly as the environment, and prints what is in force and where each value comes from. The environment and
 * the config file win over what is stored here; a running service picks the change up by itself.
 */
import { needsSetup, type SettingInForce, type StoredKey, sourceText, storeSettings } from '../config/settings.js';
import type { AppContext } from '../context.js';
import { parse, UsageError } from './args.js';
import type { CliIo, Out } from './main.js';

const FLAGS: Record<StoredKey, string> = {
  CALLFILTER_HOME_COUNTRY: '--country',
  CALLFILTER_HOME_AREA_CODE: '--area-code',
};

function show(label: string, s: SettingInForce): string {
  return s.value === undefined ? `${label} not set` : `${label} ${s.value} ${sourceText(s)}`;
}

export async function setupCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, { country: { type: 'string' }, 'area-code': { type: 'string' } });
  if (positionals.length > 0)
    throw new UsageError(`${JSON.stringify(positionals[0])}: give the values as --country and --area-code`);
  const changes: Partial<Record<StoredKey, string>> = {};
  if (values.country !== undefined) changes.CALLFILTER_HOME_COUNTRY = values.country;
  if (values['area-code'] !== undefined) changes.CALLFILTER_HOME_AREA_CODE = values['area-code'];
  const changing = Object.keys(changes).length > 0;
  // An empty value removes the stored one, as an empty variable counts as unset.
  if (changing) await storeSettings(ctx.store.settings, ctx.config.fixed, changes, (key) => FLAGS[key]);

  const s = await ctx.reloadSettings();
  out(show('country:  ', s.CALLFILTER_HOME_COUNTRY));
  out(show('area code:', s.CALLFILTER_HOME_AREA_CODE));
  if (needsSetup(s)) {
    io.err(
      'local numbers sent without their area code (222222) cannot be read until the area code is set: callfilter setup --area-code <your area code, e.g. 30>',
    );
  }
  if (changing) io.err('stored in the database; a running service applies it within a few seconds');
}
