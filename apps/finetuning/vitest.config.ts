import { projectConfig } from '@proj/vitest-config';

export default projectConfig();
