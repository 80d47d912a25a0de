import 'reflect-metadata';
import { getMetadataStorage, IsInt, IsString, Length, validate, ValidateNested } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { rememberValidationMetadata } from './validation-metadata';

class Place {
  @IsString()
  name!: string;
}

class Report {
  @IsInt()
  quantityDone!: number;

  @ValidateNested()
  @Type(() => Place)
  place!: Place;
}

class DetailedReport extends Report {
  @Length(1, 5)
  note!: string;
}

const failures = async (cls: new () => object, plain: object) =>
  (await validate(plainToInstance(cls, plain))).flatMap((error) => [
    ...Object.keys(error.constraints ?? {}).map((rule) => `${error.property}: ${rule}`),
    ...(error.children ?? []).flatMap((child) =>
      Object.keys(child.constraints ?? {}).map((r) => `${child.property}: ${r}`),
    ),
  ]);

describe('class-validator remembering the rules of each request class', () => {
  beforeAll(() => rememberValidationMetadata());

  it('validates as before: own, nested and inherited rules', async () => {
    expect(await failures(Report, { quantityDone: 3, place: { name: '蔡郢村' } })).toEqual([]);
    expect(await failures(DetailedReport, { quantityDone: 'lots', place: { name: 7 }, note: 'far too long' })).toEqual(
      expect.arrayContaining(['quantityDone: isInt', 'name: isString', 'note: isLength']),
    );
    expect(
      await failures(DetailedReport, { quantityDone: 'lots', place: { name: 7 }, note: 'far too long' }),
    ).toHaveLength(3);
  });

  it('looks the rules of a class up once', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Report, '', false, false);
    expect(storage.getTargetValidationMetadatas(Report, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });

  it('forgets what it remembered when a rule is added, so a class decorated later is validated by it', async () => {
    class Late {
      @IsString()
      title!: string;

      count!: number;
    }
    expect(await failures(Late, { title: '危房', count: 'x' })).toEqual([]);

    IsInt()(Late.prototype, 'count');

    expect(await failures(Late, { title: '危房', count: 'x' })).toEqual(['count: isInt']);
  });

  it('is installed once however often it is asked to be', () => {
    const storage = getMetadataStorage();
    const lookUp = storage.getTargetValidationMetadatas;
    rememberValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(lookUp);
  });
});
