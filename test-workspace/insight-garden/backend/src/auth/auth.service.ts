import { ConflictException, Injectable, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { Prisma } from '@prisma/client';
import * as bcrypt from 'bcrypt';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    private readonly config: ConfigService,
  ) {}

  async register(email: string, password: string) {
    try {
      const user = await this.prisma.user.create({
        data: { email: email.toLowerCase(), passwordHash: await bcrypt.hash(password, 12) },
      });
      return this.issueToken(user.id, user.email);
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new ConflictException('Email already registered');
      }
      if (err instanceof Prisma.PrismaClientInitializationError) {
        throw new ServiceUnavailableException('Database is not reachable');
      }
      throw err;
    }
  }

  async login(email: string, password: string) {
    const user = await this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
    if (!user || !(await bcrypt.compare(password, user.passwordHash))) {
      throw new UnauthorizedException('Invalid credentials');
    }
    return this.issueToken(user.id, user.email);
  }

  private issueToken(sub: string, email: string) {
    // Long-lived refresh token (POST /auth/refresh), signed with its own secret.
    const refreshToken = this.jwt.sign(
      { sub, email },
      {
        secret: this.config.getOrThrow<string>('JWT_REFRESH_SECRET'),
        expiresIn: Number(this.config.get('JWT_REFRESH_EXPIRES_IN', 2592000)),
      },
    );
    return { accessToken: this.jwt.sign({ sub, email }), refreshToken, user: { id: sub, email } };
  }
}
