import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { TestSendDto, TestSendResultDto } from './test-send.dto.js';
import { TEST_SENDS_PER_MINUTE, TestSendService } from './test-send.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('v1/templates')
export class TestSendController {
  constructor(private readonly testSends: TestSendService) {}

  @Post(':key/test-send')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send the template, rendered as its preview, to one address',
    description:
      'The subject is prefixed "[test]"; no delivery row is written, links are not tracked, the unsubscribe link ' +
      'unsubscribes nobody and there is no List-Unsubscribe header.',
  })
  @ApiOkResponse({ type: TestSendResultDto, description: 'The mail server accepted it' })
  @ApiNotFoundResponse({ description: 'Unknown template or contact' })
  @ApiUnprocessableEntityResponse({ description: 'The template fails with this data' })
  @ApiTooManyRequestsResponse({ description: `More than ${TEST_SENDS_PER_MINUTE} test sends in a minute` })
  @ApiBadGatewayResponse({ description: 'The mail server refused it or could not be reached' })
  send(@Param('key') key: string, @Body() dto: TestSendDto): Promise<TestSendResultDto> {
    return this.testSends.send(key, dto);
  }
}
