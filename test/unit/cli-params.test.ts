import { describe, expect, it } from 'vitest';
import { paramsFromArgs } from '@/cli/params';
import { jobNameOf, nameKey } from '@/lib/jobs/job-name';
import { JobRegistry, Job } from '@/lib/jobs';

describe('--param parsing', () => {
  it('nests dotted keys and parses numbers, booleans and null', () => {
    expect(paramsFromArgs(['steps=3', 'user.name=ada', 'user.age=36', 'dry=true', 'x=null', 'ratio=-0.5', 'zip=01234'])).toEqual({
      steps: 3, user: { name: 'ada', age: 36 }, dry: true, x: null, ratio: -0.5, zip: '01234',
    });
  });
  it('reads JSON values and merges pairs onto --params', () => {
    expect(paramsFromArgs(['tags=["a","b"]', 'b=2'], '{"a":1,"b":1}')).toEqual({ a: 1, b: 2, tags: ['a', 'b'] });
  });
  it('refuses malformed pairs and JSON', () => {
    expect(() => paramsFromArgs(['novalue'])).toThrow(/key=value/);
    expect(() => paramsFromArgs(['a={broken'])).toThrow(/not valid JSON/);
    expect(() => paramsFromArgs([], '{oops')).toThrow(/--params is not valid JSON/);
    expect(() => paramsFromArgs([], '[1]')).toThrow(/JSON object/);
    expect(() => paramsFromArgs(['__proto__.polluted=1'])).toThrow(/Invalid param key/);
  });
});

describe('job names', () => {
  class SendEmailJob extends Job {
    protected async perform() {}
  }
  class Named extends Job {
    static jobName = 'named-thing';
    protected async perform() {}
  }
  class x extends Job {
    protected async perform() {}
  }
  it('come from jobName, or from a class name ending in Job', () => {
    expect(jobNameOf(SendEmailJob)).toBe('send-email');
    expect(jobNameOf(Named)).toBe('named-thing');
    expect(() => jobNameOf(x)).toThrow(/needs a stable name/);
    expect(nameKey('SendEmailJob')).toBe(nameKey('send-email'));
  });
  it('the registry finds a class by any spelling and refuses duplicates', () => {
    const registry = new JobRegistry([SendEmailJob, Named]);
    expect(registry.resolve('SendEmailJob')).toBe(SendEmailJob);
    expect(registry.resolve('send-email')).toBe(SendEmailJob);
    expect(registry.resolve('NamedThing')).toBe(Named);
    expect(() => registry.resolve('nope')).toThrow(/Unknown job "nope". Registered jobs: named-thing, send-email/);
    class Other extends Job {
      static jobName = 'send-email';
      protected async perform() {}
    }
    expect(() => new JobRegistry([SendEmailJob, Other])).toThrow(/Two job classes are named "send-email"/);
  });
});
