import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'inspector' })
  @IsString()
  @Length(1, 64)
  username!: string;

  @ApiProperty({ example: 'rectify-demo' })
  @IsString()
  @Length(1, 256)
  password!: string;
}
