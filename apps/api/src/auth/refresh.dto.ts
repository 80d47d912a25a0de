import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the last sign-in or renewal (each is used once)' })
  @IsString({ message: 'refreshToken must be text' })
  @Length(20, 200, { message: 'refreshToken must be 20 to 200 characters' })
  refreshToken!: string;
}
