import { useTempDatabase } from '../helpers/db';
import { describeTorture } from './torture-suite';

describeTorture('torture', useTempDatabase());
