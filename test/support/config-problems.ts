import { ConfigError, loadConfig } from '../../src/config/app-config.js';

/** What loadConfig refuses in `env`, one line per problem (empty when it accepts it). */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
