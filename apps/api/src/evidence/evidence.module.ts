import { Module } from '@nestjs/common';
import { EvidenceController } from './evidence.controller';

@Module({
  controllers: [EvidenceController],
  providers: [],
})
export class EvidenceModule {}
