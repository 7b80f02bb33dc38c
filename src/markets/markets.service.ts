import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { formatMoney, money } from '../common/money';
import type { MarketTerms } from '../trading/types';
import { CommandBus } from '../writer/command-bus';
import { DEFAULT_CATALOG, DEFAULT_SLA } from './default-catalog';
import { CreateMarketDto } from './dto/create-market.dto';
import { MarketEntity } from './persistence/market.entity';

export type MarketView = MarketTerms;

const DEFAULT_NOTICE_MINUTES = 15;

@Injectable()
export class MarketsService implements OnModuleInit {
  constructor(
    @InjectRepository(MarketEntity) private readonly markets: Repository<MarketEntity>,
    @Inject(CommandBus) private readonly commands: CommandBus,
  ) {}

  /** Makes sure the default catalog exists (idempotent; markets an operator changed are left alone). */
  async onModuleInit(): Promise<void> {
    await this.markets.createQueryBuilder().insert().values(DEFAULT_CATALOG).orIgnore().execute();
  }

  async list(): Promise<MarketView[]> {
    return (await this.markets.find({ order: { symbol: 'ASC' } })).map(toView);
  }

  async get(symbol: string): Promise<MarketView> {
    const market = await this.markets.findOneBy({ symbol });
    if (!market) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${symbol}`);
    return toView(market);
  }

  async create(dto: CreateMarketDto): Promise<MarketView> {
    if (dto.symbol !== `${dto.gpu}.${dto.region}.${dto.leaseClass}`) {
      throw new DomainError('INVALID_REQUEST', 'symbol must be <gpu>.<region>.<leaseClass>');
    }
    if (money(dto.tickSize).lte(0))
      throw new DomainError('INVALID_PRICE', 'tickSize must be greater than zero');
    if (dto.minDurationHours > dto.maxDurationHours) {
      throw new DomainError('INVALID_DURATION', 'minDurationHours exceeds maxDurationHours');
    }
    try {
      await this.markets.insert({
        ...DEFAULT_SLA,
        ...dto,
        noticeMinutes: dto.leaseClass === 'int' ? DEFAULT_NOTICE_MINUTES : 0,
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new DomainError('CONFLICT', `market ${dto.symbol} already exists`);
      }
      throw error;
    }
    const market = await this.get(dto.symbol);
    // The book opens before the admin is answered.
    await this.commands.submit({ kind: 'addMarket', market });
    return market;
  }
}

function toView(m: MarketEntity): MarketView {
  return {
    symbol: m.symbol,
    gpu: m.gpu,
    region: m.region,
    leaseClass: m.leaseClass,
    tickSize: formatMoney(m.tickSize),
    lotSize: m.lotSize,
    minDurationHours: m.minDurationHours,
    maxDurationHours: m.maxDurationHours,
    feeBps: m.feeBps,
    noticeMinutes: m.noticeMinutes,
    activationMinutes: m.activationMinutes,
    creditBps: m.creditBps,
    requireChecks: m.requireChecks,
  };
}
