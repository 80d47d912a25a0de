import { isSupportedServerVersion, MINIMUM_SERVER_VERSION, UnsupportedServerError } from './esdb-server-version';

describe('the EventStoreDB versions the adapter runs on', () => {
  it('is EventStoreDB 22.6 or later, KurrentDB included', () => {
    expect(MINIMUM_SERVER_VERSION).toBe('22.6');
    for (const version of ['22.6.0', '22.10.3', '23.10.1', '24.10.0', '24.10.0-double', '25.0.0', '25.1', '100.0.0']) {
      expect([version, isSupportedServerVersion(version)]).toEqual([version, true]);
    }
  });

  it('is not a server before 22.6, nor a version that cannot be read', () => {
    for (const version of [
      '22.5.9',
      '22.2.0',
      '21.10.9',
      '20.10.5',
      '5.0.11',
      '0.0.0',
      'unknown',
      '',
      '22',
      'v24.10.0',
      '22.6x',
    ]) {
      expect([version, isSupportedServerVersion(version)]).toEqual([version, false]);
    }
  });

  it('says which server it refuses and what it needs, in one sentence', () => {
    expect(new UnsupportedServerError('21.10.4').message).toBe(
      'EventStoreDB 21.10.4 is too old: 整改 needs EventStoreDB 22.6 or later, ' +
        'or KurrentDB, as older servers give stream reads no $all position to ' +
        'order events by',
    );
    expect(new UnsupportedServerError(null).message).toMatch(
      /^EventStoreDB without the ServerFeatures service \(older than 21\.10\) is too old: .*22\.6 or later/,
    );
  });
});
