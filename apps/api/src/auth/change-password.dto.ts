import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty({ description: 'the password in use now' })
  @IsString()
  @Length(1, 256)
  currentPassword!: string;

  @ApiProperty({ description: 'at least 12 characters of three kinds (or 20 or more), not containing the username' })
  @IsString()
  @Length(1, 256)
  newPassword!: string;
}
