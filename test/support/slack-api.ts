/**
 * The fake Slack Web API the tests point the WebClient at. It lives with the playground (which uses it as its local
 * stand-in for Slack), so the two never drift apart; tests and benchmarks import it from here as before.
 */
export * from '../../dev/slack-api.js';
